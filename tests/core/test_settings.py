"""Configuration from the environment (API.md "Configuration"), failing loudly."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

import centrex.settings as settings_module
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


def test_the_settings_import_no_app_code() -> None:
    # given the settings module's source
    source = Path(settings_module.__file__ or "").read_text(encoding="utf-8")
    # when its imports of the project are listed
    imported = {
        node.module
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("centrex")
    } | {
        alias.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import)
        for alias in node.names
        if alias.name.startswith("centrex")
    }
    # then every one is a configuration reader, none an app (issue 11)
    assert imported
    assert all(name.startswith("centrex.config.") for name in imported), imported


def test_the_configuration_readers_import_no_app_code() -> None:
    # given the modules of centrex.config
    package = Path(settings_module.__file__ or "").parent / "config"
    for module in package.glob("*.py"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        # then they import nothing of the project but each other
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("centrex"):
                assert (node.module or "").startswith("centrex.config"), (module, node.module)


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("CENTREX_ALIAS_REGISTRY", "ftp://registry.example.it/", "CENTREX_ALIAS_REGISTRY must be"),
        ("CENTREX_BUSINESS_HOURS", "18:00-09:00", "CENTREX_BUSINESS_HOURS must open before"),
        ("CENTREX_BUSINESS_DAYS", "fri-mon", "CENTREX_BUSINESS_DAYS: the range 'fri-mon'"),
        ("CENTREX_CLOSED_DATES", "24/12/2026", "CENTREX_CLOSED_DATES must be dates"),
    ],
)
def test_a_bad_value_stops_the_program_at_start_naming_the_variable(
    tmp_path: Path, variable: str, value: str, says: str
) -> None:
    # given a deployment with one bad value
    environment = {
        key: item
        for key, item in os.environ.items()
        if not key.startswith(("CENTREX_", "DJANGO_", "PYTEST_"))
    }
    environment.update(
        {
            "CENTREX_DATA_DIR": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
            "DJANGO_SETTINGS_MODULE": "centrex.settings",
            variable: value,
        }
    )
    # when the settings are loaded
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # then the program stops with a message naming the variable
    assert result.returncode != 0
    assert says in result.stderr
