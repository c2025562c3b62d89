"""The file outbox, the embedded default of EMAIL_URL: one `.eml` per message, written
atomically in CENTREX_OUTBOX_DIR, so the developer inbox never reads half a message."""

from __future__ import annotations

import os
from email import message_from_bytes, policy
from email.message import EmailMessage as ParsedMessage
from pathlib import Path
from typing import Any

import pytest
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection

from centrex.accounts.actions import UserData, create_user
from centrex.accounts.models import User
from centrex.config.environment import email_from_url
from centrex.customers.models import Customer

OUTBOX_BACKEND = "centrex.core.mail.OutboxEmailBackend"


@pytest.fixture
def outbox(settings: Any, tmp_path: Path) -> Path:
    """Send this test's e-mail to a fresh outbox directory (not yet created)."""
    directory = tmp_path / "outbox"
    settings.EMAIL_BACKEND = OUTBOX_BACKEND
    settings.CENTREX_OUTBOX_DIR = directory
    return directory


def read(path: Path) -> ParsedMessage:
    parsed = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(parsed, ParsedMessage)
    return parsed


def body(message: ParsedMessage, kind: str) -> str:
    part = message.get_body(preferencelist=(kind,))
    assert part is not None, f"no text/{kind} part"
    return str(part.get_content())


def test_each_message_becomes_one_eml_file(outbox: Path) -> None:
    # given two messages, one with an HTML alternative
    first = EmailMultiAlternatives("Primo", "testo uno", to=["uno@esempio.example"])
    first.attach_alternative("<p>html uno</p>", "text/html")
    second = EmailMessage("Secondo", "testo due", to=["due@esempio.example"])

    # when the outbox backend sends them
    sent = get_connection(OUTBOX_BACKEND).send_messages([first, second])

    # then the directory was created and holds exactly two .eml files, nothing else
    assert sent == 2
    files = sorted(outbox.iterdir())
    assert [f.suffix for f in files] == [".eml", ".eml"]
    by_subject = {read(f)["Subject"]: read(f) for f in files}
    assert set(by_subject) == {"Primo", "Secondo"}
    assert by_subject["Primo"]["To"] == "uno@esempio.example"
    assert body(by_subject["Primo"], "plain").strip() == "testo uno"
    assert body(by_subject["Primo"], "html").strip() == "<p>html uno</p>"
    assert body(by_subject["Secondo"], "plain").strip() == "testo due"


def test_file_names_are_unique_and_sort_by_time(outbox: Path) -> None:
    # given many messages sent in one quick burst
    messages = [EmailMessage(f"n{i}", "x", to=["a@esempio.example"]) for i in range(20)]

    # when they are sent one by one
    connection = get_connection(OUTBOX_BACKEND)
    for message in messages:
        connection.send_messages([message])

    # then none overwrote another, and the name order is the sending order
    files = sorted(outbox.glob("*.eml"))
    assert [read(f)["Subject"] for f in files] == [f"n{i}" for i in range(20)]


def test_a_file_appears_complete_under_its_final_name_in_one_step(
    outbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a spy on the rename that publishes each file
    published: list[tuple[bool, bytes]] = []
    real_replace = os.replace

    def spy(source: Any, target: Any) -> None:
        # At the moment of publishing, the final name must not exist yet and the temporary
        # file (same directory, not an .eml) must hold the whole message.
        source_path, target_path = Path(source), Path(target)
        assert source_path.parent == target_path.parent == outbox
        assert source_path.suffix != ".eml"
        published.append((target_path.exists(), source_path.read_bytes()))
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", spy)

    # when a message is sent
    get_connection(OUTBOX_BACKEND).send_messages(
        [EmailMessage("Atomico", "corpo intero", to=["a@esempio.example"])]
    )

    # then it was written aside and renamed into place whole
    [eml] = outbox.glob("*.eml")
    assert published == [(False, eml.read_bytes())]
    assert b"corpo intero" in published[0][1]


def test_a_message_that_fails_to_serialise_leaves_no_eml(
    outbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a message whose rendering breaks half-way
    broken = EmailMessage("Rotto", "x", to=["a@esempio.example"])

    def explode(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk full while writing")

    monkeypatch.setattr(broken, "message", explode)

    # when it is sent, then the error surfaces and no readable message appears
    with pytest.raises(RuntimeError):
        get_connection(OUTBOX_BACKEND).send_messages([broken])
    assert list(outbox.glob("*.eml")) == []


def test_the_outbox_needs_a_directory(settings: Any) -> None:
    # given no outbox directory configured
    settings.CENTREX_OUTBOX_DIR = None

    # when the backend is opened, then it says what is missing
    with pytest.raises(ValueError, match="CENTREX_OUTBOX_DIR"):
        get_connection(OUTBOX_BACKEND)


def test_file_email_url_selects_the_outbox_in_that_folder(tmp_path: Path) -> None:
    # given EMAIL_URL=file:///some/folder
    config = email_from_url(f"file://{tmp_path / 'mail'}", tmp_path / "data")

    # then the outbox backend writes there
    assert config.backend == OUTBOX_BACKEND
    assert config.outbox == tmp_path / "mail"


def test_an_invitation_lands_in_the_outbox_with_its_link(
    outbox: Path, alice: User, esempio: Customer, django_capture_on_commit_callbacks: Any
) -> None:
    # given the embedded default (file outbox) and an admin adding a user (R-U3)
    # when the transaction commits
    with django_capture_on_commit_callbacks(execute=True):
        create_user(
            esempio, UserData(email="nuovo@esempio.example", first_name="Nuovo"), acting_user=alice
        )

    # then the invitation is one .eml the developer inbox can show, with the link in both parts
    [eml] = outbox.glob("*.eml")
    message = read(eml)
    assert message["To"] == "nuovo@esempio.example"
    assert "/accounts/set-password/" in body(message, "plain")
    assert "/accounts/set-password/" in body(message, "html")
