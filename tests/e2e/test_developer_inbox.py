"""`make run` on one machine: with the embedded defaults (the file outbox), a new user finds the
invitation in the developer inbox, opens its link and chooses a password (issue 2, "E-mail");
with the builtin SMSC simulator, their verification code shows up there too (issue 4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from centrex.accounts.actions import UserData, create_user
from centrex.accounts.models import User
from centrex.customers.models import Customer
from centrex.smsc.simulator import ReceivedMessage
from tests.e2e.steps import expect_own_communicator, italian, menu_sviluppo

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "Marco-Neri-2026!"


@pytest.fixture
def embedded_outbox(settings: Any, tmp_path: Path) -> Path:
    """E-mail as `centrex run` sends it by default: .eml files the developer inbox reads."""
    directory = tmp_path / "outbox"
    settings.EMAIL_BACKEND = "centrex.core.mail.OutboxEmailBackend"
    settings.CENTREX_OUTBOX_DIR = directory
    settings.CENTREX_DEV_INBOX = True
    return directory


def test_a_new_user_accepts_the_invitation_from_the_developer_inbox(
    page: Page, embedded_outbox: Path, alice: User, esempio: Customer, portal_url: str
) -> None:
    # given Alice added Marco with extension 208 (the invitation is in the outbox)
    create_user(
        esempio,
        UserData(
            email="marco.neri@esempio.example",
            first_name="Marco",
            last_name="Neri",
            extension="208",
        ),
        acting_user=alice,
    )
    assert len(list(embedded_outbox.glob("*.eml"))) == 1

    # when Marco, not logged in, opens "Developer inbox" from the login page's developer menu
    page.goto("/")
    menu_sviluppo(page, "Developer inbox")
    expect(page.get_by_role("heading", level=1)).to_have_text(italian("Developer inbox"))
    # opens the e-mail addressed to him
    row = page.get_by_role("row").filter(has_text="marco.neri@esempio.example")
    expect(row).to_have_count(1)
    row.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(esempio.name)
    # and clicks the set-password link of its text
    page.get_by_role("link").filter(has_text="/accounts/set-password/").click()

    # then he chooses a password and is in the customer area, Communicator enabled on 208
    expect(page.get_by_role("heading", level=1)).to_have_text(italian("Choose your password"))
    page.get_by_label(italian("New password"), exact=True).fill(NEW_PASSWORD)
    page.get_by_label(italian("Confirm the new password"), exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name=italian("Save the password"), exact=True).click()
    expect_own_communicator(page, extension="208")
    assert User.objects.get(email="marco.neri@esempio.example").check_password(NEW_PASSWORD)


def test_without_the_outbox_the_developer_inbox_does_not_exist(
    page: Page, settings: Any, portal_url: str
) -> None:
    # given e-mail going to a real server (the developer inbox is off)
    settings.CENTREX_DEV_INBOX = False
    # when someone opens its address, then there is nothing there
    response = page.goto("/dev/inbox/")
    assert response is not None and response.status == 404


def _sms_line(text: str, *, to: str, at: datetime) -> str:
    """One line of the builtin SMSC simulator's record, as it writes them."""
    return ReceivedMessage(
        time=at,
        system_id="centrex",
        source_addr="Centrex",
        source_addr_ton=5,
        source_addr_npi=0,
        destination_addr=to,
        dest_addr_ton=1,
        dest_addr_npi=1,
        data_coding=0,
        text=text,
        parts=1,
        message_ids=("1A2B",),
    ).to_json()


def test_a_verification_code_appears_in_the_developer_inbox_by_itself(
    page: Page, embedded_outbox: Path, settings: Any, tmp_path: Path, portal_url: str
) -> None:
    # given the embedded SMSC simulator in use, which received an SMS earlier
    record = tmp_path / "smsc" / "received.jsonl"
    record.parent.mkdir()
    settings.CENTREX_SMSC_URL = "builtin"
    settings.CENTREX_SMSC_RECORD_PATH = record
    earlier = datetime.now(UTC) - timedelta(minutes=5)
    record.write_text(_sms_line("Messaggio precedente", to="393470000001", at=earlier) + "\n")

    # when a new user opens the developer inbox
    page.goto("/dev/inbox/")
    sms = page.locator("section#sms")
    expect(sms.get_by_role("row").filter(has_text="Messaggio precedente")).to_have_count(1)
    # and, with the page open, the simulator receives their verification code
    with record.open("a", encoding="utf-8") as handle:
        handle.write(
            _sms_line(
                "Il tuo codice di verifica Centrex è 482915",
                to="393471234567",
                at=datetime.now(UTC),
            )
            + "\n"
        )

    # then the code shows up by itself (the list refreshes every 5 s), newest first, with the
    # number it went to
    newest = sms.get_by_role("row").nth(1)
    expect(newest).to_contain_text("482915", timeout=12_000)
    expect(newest).to_contain_text("+393471234567")
    expect(sms.get_by_role("row")).to_have_count(3)
