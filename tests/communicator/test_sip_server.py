"""`centrex sip` (API.md "Runtime"): the rendered configuration, the one-line refusals, and
SIGTERM stopping Kamailio."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from centrex.communicator import sip_server
from tests.plugins.sip import _free_port
from tests.sip.agent import Agent

ROOT = Path(__file__).resolve().parents[2]


def test_the_configuration_is_rendered_for_the_database(tmp_path: Path) -> None:
    sqlite = sip_server.render_config(
        listen="127.0.0.1:5070",
        rpc="127.0.0.1:5069",
        runtime_dir=tmp_path,
        database={"ENGINE": "django.db.backends.sqlite3", "NAME": "/srv/centrex/db.sqlite3"},
    )
    assert 'loadmodule "db_sqlite.so"' in sqlite
    assert "sqlite:////srv/centrex/db.sqlite3" in sqlite
    assert "listen=udp:127.0.0.1:5070" in sqlite and "listen=tcp:127.0.0.1:5070" in sqlite
    assert '"udp:127.0.0.1:5069"' in sqlite
    assert "@@" not in sqlite
    postgres = sip_server.render_config(
        listen="127.0.0.1:5070",
        rpc="127.0.0.1:5069",
        runtime_dir=tmp_path,
        database={
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "centrex",
            "USER": "portal",
            "PASSWORD": "p@ss word",
            "HOST": "db.internal",
            "PORT": 5432,
        },
    )
    assert 'loadmodule "db_postgres.so"' in postgres
    assert "postgres://portal:p%40ss%20word@db.internal:5432/centrex" in postgres


def test_an_in_memory_database_is_one_clear_line(tmp_path: Path) -> None:
    with pytest.raises(sip_server.SipServerError, match="database in a file"):
        sip_server.kamailio_database({"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"})


def test_a_missing_kamailio_is_one_line_and_exit_code_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sip_server, "find_kamailio", lambda: None)
    assert sip_server.run(["--listen", f"127.0.0.1:{_free_port()}"]) == 2
    said = capsys.readouterr().err.strip().splitlines()
    assert said == [
        "centrex sip: Kamailio is not installed: apt-get install kamailio "
        "kamailio-sqlite-modules kamailio-postgres-modules"
    ]


def _centrex_sip(tmp_path: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CENTREX_", "PYTEST_"))}
    env.update(
        {
            "CENTREX_DATA_DIR": str(tmp_path / "var"),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "PYTHONPATH": str(ROOT / "src"),
        }
    )
    subprocess.run(
        [sys.executable, "-m", "centrex.cli", "migrate", "-v0"], env=env, check=True, timeout=120
    )
    return subprocess.Popen(
        [sys.executable, "-m", "centrex.cli", "sip", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_a_port_in_use_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        process = _centrex_sip(tmp_path, "--listen", f"127.0.0.1:{port}")
        _out, err = process.communicate(timeout=60)
    assert process.returncode == 2
    lines = err.decode().strip().splitlines()
    assert len(lines) == 1 and f"cannot listen on 127.0.0.1:{port}" in lines[0]


def test_sigterm_stops_kamailio(tmp_path: Path) -> None:
    port, rpc = _free_port(), _free_port()
    process = _centrex_sip(
        tmp_path, "--listen", f"127.0.0.1:{port}", "--rpc", f"127.0.0.1:{rpc}", "--children", "1"
    )
    try:
        agent = Agent(("127.0.0.1", port), "00", "probe.invalid")
        deadline = time.monotonic() + 30
        while True:
            try:
                if agent.options() == 200:
                    break
            except TimeoutError:
                pass
            assert process.poll() is None and time.monotonic() < deadline
        agent.close()
        process.send_signal(signal.SIGTERM)
        # communicate, not wait: it reads Kamailio's log while it stops, so a full pipe (on a
        # loaded machine the probe above logs many OPTIONS) cannot block its shutdown
        process.communicate(timeout=15)
        assert process.returncode == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
