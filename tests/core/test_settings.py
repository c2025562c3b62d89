"""Configuration from the environment (API.md "Configuration"), failing loudly."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from centrex.config.environment import database_from_url, email_from_url, env_bool, secret_key


def test_sqlite_url_defaults_to_the_data_directory(tmp_path: Path) -> None:
    config = database_from_url("sqlite:///", tmp_path)
    assert config["NAME"] == str(tmp_path / "centrex.sqlite3")
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]  # type: ignore[index]


def test_postgres_url_is_parsed(tmp_path: Path) -> None:
    config = database_from_url("postgres://centrex:s%40cret@db.example:5433/portal", tmp_path)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["USER"], config["PASSWORD"], config["HOST"], config["PORT"], config["NAME"]) == (
        "centrex",
        "s@cret",
        "db.example",
        "5433",
        "portal",
    )


def test_postgres_binds_on_the_server_and_prepares_repeated_statements(tmp_path: Path) -> None:
    options = database_from_url("postgres://c@db.example/portal?sslmode=require", tmp_path)[
        "OPTIONS"
    ]
    assert options == {"sslmode": "require", "server_side_binding": True, "prepare_threshold": 5}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("prepare_threshold=none", {"server_side_binding": True, "prepare_threshold": None}),
        ("prepare_threshold=1", {"server_side_binding": True, "prepare_threshold": 1}),
        ("server_side_binding=false", {}),
    ],
)
def test_prepared_statements_can_be_turned_off_for_a_pooler(
    tmp_path: Path, query: str, expected: dict[str, object]
) -> None:
    assert database_from_url(f"postgres://c@db.example/portal?{query}", tmp_path)["OPTIONS"] == (
        expected
    )


@pytest.mark.parametrize("query", ["prepare_threshold=often", "server_side_binding=yes"])
def test_bad_prepared_statement_options_fail_loudly(tmp_path: Path, query: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        database_from_url(f"postgres://c@db.example/portal?{query}", tmp_path)


def test_unknown_database_scheme_fails_loudly(tmp_path: Path) -> None:
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        database_from_url("mysql://x@y/z", tmp_path)


def test_smtp_with_starttls(tmp_path: Path) -> None:
    config = email_from_url("smtp+tls://user:pw@mail.example:2525", tmp_path)
    assert (config.host, config.port, config.user, config.use_tls) == (
        "mail.example",
        2525,
        "user",
        True,
    )


def test_empty_email_url_is_the_outbox(tmp_path: Path) -> None:
    assert email_from_url("", tmp_path).outbox == tmp_path / "outbox"


def test_bad_boolean_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        env_bool("DEBUG", False)


def test_secret_key_is_generated_once_and_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = secret_key(tmp_path)
    assert len(first) > 40
    assert secret_key(tmp_path) == first
