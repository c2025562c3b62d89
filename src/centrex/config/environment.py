"""Parse the environment variables of API.md, failing loudly on bad values (STYLE 11)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured


def read_dotenv(path: Path) -> None:
    """Load KEY=VALUE lines of a `.env` file into os.environ, without overriding the environment."""
    if not path.is_file():
        return
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export ") :]
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise ImproperlyConfigured(f"{path}:{number}: expected KEY=VALUE, got {raw!r}")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        os.environ.setdefault(key.strip(), value)


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default).strip() or default


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env_str(name, default).lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def database_from_url(url: str, data_dir: Path) -> dict[str, object]:
    """Django DATABASES entry for `sqlite:///path` or `postgres://user:pass@host:port/db`."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # sqlite:///relative/or/absolute ; sqlite:/// alone means the data directory's file.
        raw_path = unquote(parts.path)
        if raw_path in {"", "/"}:
            name = data_dir / "centrex.sqlite3"
        elif raw_path == "/:memory:":
            name = Path(":memory:")
        else:
            # sqlite:///var/db.sqlite3 is relative, sqlite:////srv/db.sqlite3 absolute.
            name = Path(raw_path[1:])
        return {
            # The send path's write transactions also queue on a lock file (core.sqlite.writers).
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(name),
            "OPTIONS": {
                # WAL lets readers work while the dispatcher and the worker write;
                # IMMEDIATE takes the write lock at BEGIN so writers queue instead of failing.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=20000; PRAGMA foreign_keys=ON;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            # Opening a connection runs the PRAGMAs above (~0.7 ms, a third of a small API
            # request): each server thread keeps its own.
            "CONN_MAX_AGE": 600,
            # Tests use an in-memory database, as Django does for SQLite (said explicitly: with
            # xdist, pytest-django would otherwise name files "test_:memory:_gw0").
            "TEST": {"NAME": ":memory:"},
        }
    if parts.scheme in {"postgres", "postgresql", "pgsql"}:
        query: dict[str, object] = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        # ?host=/run/postgresql selects a Unix socket directory.
        host = str(query.pop("host", "") or unquote(parts.hostname or ""))
        _prepared_statements(query, url)
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": host,
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": int(str(query.pop("conn_max_age", "60"))),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": query,
        }
    raise ImproperlyConfigured(
        f"DATABASE_URL must start with sqlite:/// or postgres://, not {url.split(':', 1)[0]!r}"
    )


def _prepared_statements(options: dict[str, object], url: str) -> None:
    """PostgreSQL plans every statement it is sent unless the statement was prepared: the send
    path's few statements, run thousands of times a second, cost the server more to plan than
    to execute. So parameters are bound on the server and a statement a connection runs for
    the 5th time is prepared (psycopg's `prepare_threshold`). `?prepare_threshold=none` turns
    that off (a pooler in transaction mode older than PgBouncer 1.21 cannot carry prepared
    statements); `?server_side_binding=false` goes back to Django's client-side binding."""
    binding = str(options.pop("server_side_binding", "true")).lower()
    if binding not in {"true", "false"}:
        raise ImproperlyConfigured(
            f"DATABASE_URL: server_side_binding must be true or false, not {binding!r}"
        )
    threshold = str(options.pop("prepare_threshold", "5")).lower()
    if threshold != "none" and not threshold.isdigit():
        raise ImproperlyConfigured(
            "DATABASE_URL: prepare_threshold must be a number of executions or none, "
            f"not {threshold!r}"
        )
    if binding == "true":
        options["server_side_binding"] = True
        options["prepare_threshold"] = None if threshold == "none" else int(threshold)


@dataclass(frozen=True)
class EmailConfig:
    backend: str
    host: str = ""
    port: int = 0
    user: str = ""
    password: str = ""
    use_tls: bool = False
    use_ssl: bool = False
    outbox: Path | None = None


def email_from_url(url: str, data_dir: Path) -> EmailConfig:
    """`smtp://user:pass@host:port`, `smtp+tls://…` (STARTTLS), `smtps://…`, `file://PATH`,
    `outbox` (the data directory's outbox) or `memory` (tests)."""
    if url in {"", "outbox"}:
        return EmailConfig("centrex.core.mail.OutboxEmailBackend", outbox=data_dir / "outbox")
    if url == "memory":
        return EmailConfig("django.core.mail.backends.locmem.EmailBackend")
    parts = urlsplit(url)
    if parts.scheme == "file":
        path = Path(unquote(parts.netloc + parts.path))
        return EmailConfig("centrex.core.mail.OutboxEmailBackend", outbox=path)
    if parts.scheme in {"smtp", "smtp+tls", "smtps"}:
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured(f"EMAIL_URL has a bad port: {url!r}") from None
        default_port = {"smtp": 25, "smtp+tls": 587, "smtps": 465}[parts.scheme]
        return EmailConfig(
            "django.core.mail.backends.smtp.EmailBackend",
            host=parts.hostname or "localhost",
            port=port or default_port,
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            use_tls=parts.scheme == "smtp+tls",
            use_ssl=parts.scheme == "smtps",
        )
    raise ImproperlyConfigured(
        "EMAIL_URL must be smtp://, smtp+tls://, smtps://, file://PATH or empty for the outbox"
    )


def secret_key(data_dir: Path) -> str:
    """SECRET_KEY from the environment, else generated once and kept in the data directory."""
    from_env = os.environ.get("SECRET_KEY", "").strip()
    if from_env:
        return from_env
    path = data_dir / "secret_key"
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    # Create exclusively so two processes starting together keep the same key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key
