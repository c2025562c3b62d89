"""What an alias test needs around it, wherever it lives (tests/aliases, the back office's alias
pages and API): the R-A4b lists as migration 0002 seeds them, and an AGCOM registry spool of
its own (R-A9). Plain functions: each test package's conftest makes them its autouse fixtures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from centrex.aliases.models import GenericWord, ReservedName
from centrex.aliases.wordlists import GENERIC_WORDS, RESERVED_NAMES


def seed_word_lists(request: pytest.FixtureRequest) -> None:
    """The R-A4b lists as migration 0002 seeds them, for a test that uses the database: a
    transactional test (live server, races) flushes the tables it ran on."""
    uses_database = request.node.get_closest_marker("django_db") is not None or any(
        name in request.fixturenames for name in ("db", "transactional_db", "live_server")
    )
    if not uses_database:
        return
    request.getfixturevalue("db")
    ReservedName.objects.bulk_create(
        [ReservedName(name=name) for name in RESERVED_NAMES], ignore_conflicts=True
    )
    GenericWord.objects.bulk_create(
        [GenericWord(word=word) for word in GENERIC_WORDS], ignore_conflicts=True
    )


def spool_registry(settings: Any, tmp_path: Path) -> Path:
    """CENTREX_ALIAS_REGISTRY points at a spool folder of this test (R-A9)."""
    spool = tmp_path / "registry"
    settings.CENTREX_ALIAS_REGISTRY = f"file://{spool}"
    return spool
