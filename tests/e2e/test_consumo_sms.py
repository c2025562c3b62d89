"""«Consumo SMS» in Chromium and in Italian (issue 15, R-R1, R-R2): the admin opens
Communicator > Consumo SMS, sees the month's parts per day drawn as a chart by the portal,
the table beside it matching the SMS the test sent (a long GSM text and a UCS-2 one), and a
screenshot of the page is kept in test-results/."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from centrex.accounts.models import User
from centrex.sms.actions import send_sms
from centrex.sms.models import MessageStatus, SmsMessage
from tests.conftest import PASSWORD
from tests.e2e.conftest import RESULTS_DIR
from tests.e2e.steps import accedere_all_area_clienti, italian
from tests.plugins.policy_cast import BOB_MOBILE, give_mobile

pytestmark = pytest.mark.e2e

CARLO, DANIELA = "+393401112233", "+393405556677"
LONG_GSM = "Riunione spostata alle 15. " * 7  # 2 parts
UCS2 = "Buon lavoro 😀 " * 6  # 2 parts


@pytest.fixture
def sent_today(alice: User, bob: User, settings: Any) -> None:
    """Bob's long text to Carlo (delivered) and Daniela; Alice's UCS-2 text to Carlo."""
    settings.CENTREX_SMS_USER_RATE = settings.CENTREX_SMS_CUSTOMER_RATE = 0
    give_mobile(bob, BOB_MOBILE)
    give_mobile(alice, "+393331234567")
    long = send_sms(bob, to=[CARLO, DANIELA], text=LONG_GSM, sender=None, idempotency_key=None)
    SmsMessage.objects.filter(request=long, destination=CARLO).update(
        status=MessageStatus.DELIVERED
    )
    send_sms(alice, to=[CARLO], text=UCS2, sender=None, idempotency_key=None)


def test_the_admin_reads_the_months_usage_as_a_chart_and_a_table(
    page: Page, alice: User, bob: User, sent_today: None
) -> None:
    # given
    accedere_all_area_clienti(page, alice.email, PASSWORD)
    # when: Communicator > Consumo SMS
    menu = page.get_by_role("navigation", name=italian("Main menu"))
    menu.get_by_role("link", name=italian("SMS usage"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/communicator/sms/consumo/$"))
    # then: the totals in words, the chart drawn, the tables beside it
    expect(
        page.get_by_text(re.compile(r"3\s+messaggi \(uno per destinatario\), 6\s+parti"))
    ).to_be_visible()
    chart = page.get_by_role("img", name=italian("Parts per day"))
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 80
    today = timezone.localdate()
    bar = chart.locator("rect").nth(today.day - 1)
    assert float(bar.get_attribute("height") or 0) > 0
    assert bar.locator("title").text_content() == f"{today:%d}: 6"
    days = page.get_by_role("table").filter(has_text=italian("Messages and parts per day"))
    expect(days.locator("tbody tr")).to_have_count(1)
    expect(days.locator("tbody tr td")).to_have_text([re.compile(f"{today:%d/%m}$"), "3", "6"])
    users = page.locator("section", has=page.get_by_role("heading", name=italian("By user")))
    expect(users.get_by_role("row", name=re.compile(bob.full_name))).to_contain_text("4")
    expect(users.get_by_role("row", name=re.compile(alice.full_name))).to_contain_text("2")
    RESULTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS_DIR / "consumo-sms.png"), full_page=True)
