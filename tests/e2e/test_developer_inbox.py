"""`make run` on one machine: with the embedded defaults (the file outbox), a new user finds the
invitation in the developer inbox, opens its link and chooses a password (issue 2, "E-mail")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from centrex.accounts.actions import UserData, create_user
from centrex.accounts.models import User
from centrex.customers.models import Customer
from tests.e2e.steps import expect_own_communicator, italian

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

    # when Marco, not logged in, follows "Developer inbox" from the login page's footer
    page.goto("/")
    page.get_by_role("link", name=italian("Developer inbox"), exact=True).click()
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
