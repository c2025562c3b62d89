"""`CENTREX_SMSC_URL` (API.md "Runtime"): accounts, defaults, `builtin`, and errors that say
what to fix without showing the password; `CENTREX_SMS_VALIDITY` and
`CENTREX_SMS_RECEIPT_GRACE`, and the validity as SMPP writes it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from centrex.config.durations import (
    MAX_SMS_VALIDITY,
    env_duration,
    parse_duration,
    smpp_relative_time,
)
from centrex.config.smsc import (
    BUILTIN_PASSWORD,
    BUILTIN_SYSTEM_ID,
    SmscAccount,
    SmscUrlError,
    builtin_record_path,
    parse_smsc_url,
)
from centrex.smsc.config import smsc_accounts


def test_an_account_with_every_setting_is_read() -> None:
    # when a full URL is parsed
    (account,) = parse_smsc_url(
        "smpp://centrex:s3cret@smsc.example.it:2776?window=20&tps=100&system_type=VMA"
        "&binds=3&enquire_link=15"
    )
    # then every part is taken
    assert account == SmscAccount(
        host="smsc.example.it",
        port=2776,
        system_id="centrex",
        password="s3cret",
        system_type="VMA",
        window=20,
        tps=100,
        binds=3,
        enquire_link=15.0,
    )


def test_the_defaults_are_those_of_api_md() -> None:
    # when only credentials and host are given
    (account,) = parse_smsc_url("smpp://centrex:secret@smsc.example.it")
    # then port 2775, window 10, no tps limit, no system_type, one bind, enquire_link 30 s
    assert (account.port, account.window, account.tps, account.system_type) == (2775, 10, 0, "")
    assert (account.binds, account.enquire_link) == (1, 30.0)


def test_credentials_are_percent_decoded() -> None:
    # given a password with characters a URL reserves
    (account,) = parse_smsc_url("smpp://sys%40id:p%3Aw%2F%25@10.0.0.1:2775?system_type=a%20b")
    # then they are decoded
    assert (account.system_id, account.password, account.system_type) == ("sys@id", "p:w/%", "a b")


def test_several_accounts_are_separated_by_commas_or_blanks() -> None:
    # when three accounts are listed with commas, blanks and new lines
    accounts = parse_smsc_url(
        "smpp://a:x@one.example , smpp://b:y@two.example:2776\n smpp://c:z@[::1]:2777"
    )
    # then each is read, in order, and labelled without its password
    assert [account.label for account in accounts] == [
        "a@one.example:2775",
        "b@two.example:2776",
        "c@[::1]:2777",
    ]


def test_builtin_is_the_simulator_on_loopback() -> None:
    # when the value is `builtin` with the builtin port set
    (account,) = parse_smsc_url("builtin", builtin_port=2999)
    # then it is the simulator's account on 127.0.0.1, window 100 (contract)
    assert account == SmscAccount(
        host="127.0.0.1",
        port=2999,
        system_id=BUILTIN_SYSTEM_ID,
        password=BUILTIN_PASSWORD,
        window=100,
    )


def test_the_builtin_record_path_is_in_the_data_directory(tmp_path: Path) -> None:
    assert builtin_record_path(tmp_path) == tmp_path / "smsc" / "received.jsonl"


def test_the_settings_give_the_accounts_and_the_record_path(
    settings: pytest.FixtureRequest,
) -> None:
    # given the settings of a deployment
    settings.CENTREX_SMSC_URL = "builtin"  # type: ignore[attr-defined]
    settings.CENTREX_BUILTIN_SMSC_PORT = 3001  # type: ignore[attr-defined]
    # then the accounts follow them, and the record path defaults to the data directory's
    assert [account.label for account in smsc_accounts()] == ["centrex@127.0.0.1:3001"]
    assert builtin_record_path(Path(settings.DATA_DIR)) == settings.CENTREX_SMSC_RECORD_PATH  # type: ignore[attr-defined]


def test_the_password_is_never_shown() -> None:
    (account,) = parse_smsc_url("smpp://centrex:Sup3rPw@smsc.example.it")
    assert "Sup3rPw" not in repr(account)
    assert "Sup3rPw" not in account.label


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("", "CENTREX_SMSC_URL is empty"),
        ("http://a:b@smsc.example.it", "start with smpp://"),
        ("smsc.example.it:2775", "start with smpp://"),
        ("smpp://a:b@", "without a host"),
        ("smpp://:b@smsc.example.it", "no system_id"),
        ("smpp://a:b@smsc.example.it:port", "port is not a number"),
        ("smpp://a:b@smsc.example.it:70000", "port is not a number"),
        ("smpp://a:b@smsc.example.it:0", "port from 1 to 65535"),
        ("smpp://a:b@smsc.example.it?window=0", "window='0'; it must be a whole number from 1"),
        ("smpp://a:b@smsc.example.it?window=ten", "window='ten'"),
        ("smpp://a:b@smsc.example.it?tps=-1", "tps='-1'"),
        ("smpp://a:b@smsc.example.it?binds=0", "binds='0'"),
        ("smpp://a:b@smsc.example.it?enquire_link=0", "enquire_link='0'"),
        ("smpp://a:b@smsc.example.it?enquire_link=nan", "enquire_link='nan'"),
        ("smpp://a:b@smsc.example.it?windw=5", "unknown settings windw"),
        ("smpp://a:b@smsc.example.it?window=5&window=6", "sets window twice"),
        ("smpp://a:b@smsc.example.it/path", "has a path"),
        ("smpp://sixteen_chars_id:b@smsc.example.it", "system_id of 16 characters"),
        ("smpp://a:ninechars@smsc.example.it", "password of 9 characters"),
        ("smpp://a:b@smsc.example.it?system_type=thirteen_char", "system_type of 13"),
        ("smpp://%C3%A0:b@smsc.example.it", "not plain ASCII"),
        ("smpp://a:b@one.example smpp://a:c@one.example", "names the account a@one.example:2775"),
    ],
)
def test_a_bad_value_says_what_to_fix(value: str, says: str) -> None:
    # when a bad value is parsed
    with pytest.raises(SmscUrlError) as error:
        parse_smsc_url(value)
    # then the message says what is wrong, is a ValueError, and never shows the password
    assert says in str(error.value)
    assert isinstance(error.value, ValueError)
    assert "ninechars" not in str(error.value)


def test_a_bad_builtin_port_is_refused() -> None:
    with pytest.raises(SmscUrlError, match="CENTREX_BUILTIN_SMSC_PORT is 70000"):
        parse_smsc_url("builtin", builtin_port=70000)


def centrex_check(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    """`centrex check` in a fresh deployment of `tmp_path` with these environment variables."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CENTREX_", "DJANGO_", "PYTEST_"))
    }
    environment.update(
        CENTREX_DATA_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
        **variables,
    )
    return subprocess.run(
        [sys.executable, "-m", "centrex.cli", "check"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_bad_value_stops_any_program_at_start(tmp_path: Path) -> None:
    # given a deployment with a window of zero, when any centrex command starts
    result = centrex_check(
        tmp_path, CENTREX_SMSC_URL="smpp://centrex:secret@smsc.example.it?window=0"
    )
    # then it stops with the reason, before doing anything
    assert result.returncode != 0
    assert "CENTREX_SMSC_URL: the account centrex@smsc.example.it has window='0'" in result.stderr
    assert "secret" not in result.stderr


# --- CENTREX_SMS_VALIDITY and CENTREX_SMS_RECEIPT_GRACE (R-T5) -----------------------------


@pytest.mark.parametrize(
    ("value", "duration"),
    [
        ("48h", timedelta(hours=48)),
        ("15m", timedelta(minutes=15)),
        ("90s", timedelta(seconds=90)),
        (" 2 H ", timedelta(hours=2)),
        ("0s", timedelta(0)),
    ],
)
def test_a_duration_is_a_number_and_its_unit(value: str, duration: timedelta) -> None:
    assert parse_duration("CENTREX_SMS_VALIDITY", value) == duration


@pytest.mark.parametrize("value", ["48", "2d", "1.5h", "-1h", "h", "1h30m", "eight hours"])
def test_a_bad_duration_says_how_to_write_one(value: str) -> None:
    with pytest.raises(ImproperlyConfigured) as error:
        parse_duration("CENTREX_SMS_VALIDITY", value)
    assert str(error.value) == (
        "CENTREX_SMS_VALIDITY must be a whole number with the unit s, m or h "
        f"(such as 90s, 15m or 48h), not {value!r}"
    )


def test_the_defaults_are_48_hours_and_one_more(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CENTREX_SMS_VALIDITY", raising=False)
    monkeypatch.setenv("CENTREX_SMS_RECEIPT_GRACE", " ")
    assert env_duration("CENTREX_SMS_VALIDITY", "48h", minimum="1s") == timedelta(hours=48)
    assert env_duration("CENTREX_SMS_RECEIPT_GRACE", "1h") == timedelta(hours=1)


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("0s", "CENTREX_SMS_VALIDITY must be at least 1s, not '0s'"),
        ("721h", "CENTREX_SMS_VALIDITY must be at most 720h, not '721h'"),
    ],
)
def test_a_validity_out_of_bounds_is_refused(
    monkeypatch: pytest.MonkeyPatch, value: str, says: str
) -> None:
    monkeypatch.setenv("CENTREX_SMS_VALIDITY", value)
    with pytest.raises(ImproperlyConfigured, match=re.escape(says)):
        env_duration("CENTREX_SMS_VALIDITY", "48h", minimum="1s", maximum=MAX_SMS_VALIDITY)


@pytest.mark.parametrize(
    ("duration", "written"),
    [
        (timedelta(hours=48), "000002000000000R"),
        (timedelta(hours=1), "000000010000000R"),
        (timedelta(seconds=90), "000000000130000R"),
        (timedelta(days=30), "000030000000000R"),
        (timedelta(days=1, hours=2, minutes=3, seconds=4), "000001020304000R"),
    ],
)
def test_the_validity_goes_in_smpp_relative_time(duration: timedelta, written: str) -> None:
    # SMPP 3.4 §7.1.1: "YYMMDDhhmmsstnnp", relative: t 0, nn 00, p "R"
    assert smpp_relative_time(duration) == written
    assert len(written) == 16


def test_a_bad_validity_stops_any_program_at_start(tmp_path: Path) -> None:
    result = centrex_check(tmp_path, CENTREX_SMS_RECEIPT_GRACE="2 days")
    assert result.returncode != 0
    assert "CENTREX_SMS_RECEIPT_GRACE must be a whole number with the unit s, m or h" in (
        result.stderr
    )
