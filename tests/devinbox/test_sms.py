"""The developer inbox's SMS section (issue 4): what the builtin SMSC simulator received, read
from its record file, so a first-time user of `make run` can read their verification code."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from centrex.devinbox import received_sms
from centrex.devinbox.received_sms import MAX_READ_BYTES, latest
from centrex.smsc.simulator import ReceivedMessage

INDEX = reverse("devinbox:index")
WHEN = datetime(2026, 1, 15, 8, 30, 5, tzinfo=UTC)


@pytest.fixture
def record(settings: Any, tmp_path: Path) -> Path:
    """The simulator's record file for this test (not created yet), the builtin SMSC in use
    and the developer inbox on."""
    path = tmp_path / "smsc" / "received.jsonl"
    settings.CENTREX_SMSC_RECORD_PATH = path
    settings.CENTREX_SMSC_URL = "builtin"
    settings.CENTREX_DEV_INBOX = True
    settings.CENTREX_OUTBOX_DIR = tmp_path / "outbox"
    return path


def _received(
    text: str,
    *,
    to: str = "393471234567",
    sender: str = "Centrex",
    ton: int = 5,
    npi: int = 0,
    at: datetime = WHEN,
    data_coding: int = 0,
    parts: int = 1,
) -> str:
    """One record line, written by the simulator's own serializer."""
    return ReceivedMessage(
        time=at,
        system_id="centrex",
        source_addr=sender,
        source_addr_ton=ton,
        source_addr_npi=npi,
        destination_addr=to,
        dest_addr_ton=1,
        dest_addr_npi=1,
        data_coding=data_coding,
        text=text,
        parts=parts,
        message_ids=tuple(f"{n:X}" for n in range(parts)),
    ).to_json()


def _write(path: Path, *lines: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        for line in lines:
            handle.write(line + "\n")


def _sms_section(page: str) -> str:
    start = page.index('<section id="sms"')
    return page[start : page.index("</section>", start)]


def test_a_verification_code_is_readable_with_sender_recipient_and_encoding(
    record: Path, client: Client, db: None
) -> None:
    # given the simulator received a verification code from the alias Centrex
    _write(record, _received("Il tuo codice di verifica Centrex è 482915"))

    # when someone not logged in opens the inbox
    response = client.get(INDEX)

    # then the SMS section shows the code, the alias with TON 5/NPI 0 (R-T6), the recipient in
    # E.164, one GSM 7-bit part, and says why codes are visible here
    assert response.status_code == 200
    section = _sms_section(response.content.decode())
    assert "Il tuo codice di verifica Centrex è 482915" in section
    assert "Centrex<br><small" in section
    assert "TON 5, NPI 0" in section
    assert "+393471234567" in section
    assert "TON 1, NPI 1" in section
    assert re.search(r"<td[^>]*>1</td>", section)
    assert "GSM 7-bit" in section
    assert "I codici di verifica si leggono qui solo per questo motivo" in section


def test_a_number_sender_and_a_long_ucs2_text_are_shown_as_sent(
    record: Path, client: Client, db: None
) -> None:
    # given a two-part UCS-2 message from a mobile number (TON 1/NPI 1)
    text = "Ciao 😀 " * 10
    _write(record, _received(text, sender="393331112222", ton=1, npi=1, data_coding=8, parts=2))

    # when
    section = _sms_section(client.get(INDEX).content.decode())

    # then
    assert "+393331112222" in section
    assert "UCS-2" in section
    assert re.search(r"<td[^>]*>2</td>", section)
    assert "Ciao 😀 Ciao 😀" in section


def test_the_newest_sms_comes_first_in_italian_time(record: Path, client: Client, db: None) -> None:
    # given two messages, a minute apart, in January (Rome is UTC+1)
    _write(
        record,
        _received("primo messaggio", at=WHEN),
        _received("secondo messaggio", at=WHEN + timedelta(minutes=1)),
    )

    # when
    section = _sms_section(client.get(INDEX).content.decode())

    # then
    assert section.index("secondo messaggio") < section.index("primo messaggio")
    assert "15/01/2026 09:31:05" in section
    assert "15/01/2026 09:30:05" in section


def test_without_a_record_file_the_section_says_how_to_get_a_code(
    record: Path, client: Client, db: None
) -> None:
    # given the simulator never received anything (no file, not even its directory)
    assert not record.parent.exists()

    # when
    response = client.get(INDEX)

    # then
    assert response.status_code == 200
    section = _sms_section(response.content.decode())
    assert "Non è ancora stato inviato nessun SMS." in section
    assert "Opzioni Account" in section


@pytest.mark.parametrize(
    "corrupt",
    [
        "not json at all",
        '{"time": "2026-01-15T08:30:00+00:00", "text": "cut sho',
        "[1, 2, 3]",
        '{"time": "yesterday", "system_id": "centrex"}',
        '"just a string"',
        "\xff\xfe garbage",
    ],
)
def test_a_line_that_does_not_read_is_skipped(
    corrupt: str, record: Path, client: Client, db: None
) -> None:
    # given a corrupt line between two good ones
    _write(record, _received("prima riga buona"), corrupt, _received("ultima riga buona"))

    # when
    response = client.get(INDEX)

    # then the page answers with both good messages
    assert response.status_code == 200
    section = _sms_section(response.content.decode())
    assert "prima riga buona" in section
    assert "ultima riga buona" in section
    assert latest(10).total == 2


def test_a_line_with_a_field_of_the_wrong_type_is_skipped(record: Path, db: None) -> None:
    # given a line whose TON is text and one whose TON is a boolean
    good = _received("buona")
    _write(
        record,
        good.replace('"source_addr_ton": 5', '"source_addr_ton": "5"'),
        good.replace('"source_addr_ton": 5', '"source_addr_ton": true'),
        good,
    )

    # when
    found = latest(10)

    # then
    assert [sms.text for sms in found.entries] == ["buona"]


def test_a_huge_record_is_read_only_at_its_end(
    record: Path, client: Client, db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a 1 GiB record (sparse: its first gigabyte is zeros) ending with 300 messages
    record.parent.mkdir(parents=True)
    with record.open("wb") as handle:
        handle.truncate(1024**3)
    _write(record, *(_received(f"messaggio numero {n}") for n in range(300)))
    read: list[int] = []
    real_pread = os.pread

    def counting_pread(descriptor: int, size: int, offset: int) -> bytes:
        read.append(size)
        return real_pread(descriptor, size, offset)

    monkeypatch.setattr(received_sms.os, "pread", counting_pread)

    # when
    response = client.get(INDEX)

    # then the newest 200 are shown, at most MAX_READ_BYTES were read, and the count says there
    # are older messages than it counted (the first message shares its line with the zeros)
    assert response.status_code == 200
    section = _sms_section(response.content.decode())
    assert "messaggio numero 299" in section
    assert "messaggio numero 100<" in section
    assert "messaggio numero 99<" not in section
    assert sum(read) <= MAX_READ_BYTES + 1
    page = response.content.decode()
    assert re.search(r'<span class="badge\b[^"]*">299\+</span>', page)
    assert "Qui sono elencati solo gli ultimi 200 SMS." in section


def test_a_big_record_of_only_messages_starts_reading_at_a_whole_line(record: Path) -> None:
    # given more messages than fit in the bytes read
    line = _received("x" * 1000)
    count = MAX_READ_BYTES // len(line) + 50
    _write(record, *([line] * count))

    # when
    found = latest(10_000)

    # then every message read is whole, and there are more than were counted
    assert found.more
    assert 0 < found.total < count
    assert all(sms.text == "x" * 1000 for sms in found.entries)


def test_with_a_real_smsc_the_section_says_sms_are_not_kept(
    record: Path, client: Client, settings: Any, db: None
) -> None:
    # given a record left from earlier days, but SMS now going to a real SMSC
    _write(record, _received("vecchio codice 123456"))
    settings.CENTREX_SMSC_URL = "smpp://centrex:secret@smsc.provider.example:2775"

    # when
    page = client.get(INDEX).content.decode()

    # then no message is shown, and the page says why
    section = _sms_section(page)
    assert "vecchio codice" not in section
    assert "non sono conservati qui" in section


def test_the_builtin_smsc_beside_a_real_one_still_shows_what_it_received(
    record: Path, client: Client, settings: Any, db: None
) -> None:
    # given
    _write(record, _received("dal simulatore"))
    settings.CENTREX_SMSC_URL = "builtin, smpp://centrex:secret@smsc.provider.example:2775"

    # when / then
    assert "dal simulatore" in _sms_section(client.get(INDEX).content.decode())


def test_the_sms_are_hidden_when_the_inbox_is_off(
    record: Path, client: Client, settings: Any, db: None
) -> None:
    # given
    _write(record, _received("codice 654321"))
    settings.CENTREX_DEV_INBOX = False

    # when
    response = client.get(INDEX)

    # then
    assert response.status_code == 404
    assert b"654321" not in response.content


def test_the_page_refreshes_the_sms_by_itself(record: Path, client: Client, db: None) -> None:
    # when
    page = client.get(INDEX).content.decode()

    # then the SMS section is inside the part htmx polls
    sources = page.index('id="sources"')
    assert 'hx-trigger="every 5s"' in page[sources - 200 : sources + 200]
    assert sources < page.index('<section id="sms"')
