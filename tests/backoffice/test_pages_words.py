"""The back office's words (issue 14): every page an operator opens — each URL pattern of the
back office that answers GET with a page — shows no rule id (R-…, they stay in code and tests)
and no raw audit code, in Italian and in English."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import timezone

from centrex.accounts.actions import update_own_account
from centrex.accounts.models import User
from centrex.aliases.actions.lifecycle import create_alias, submit_alias
from centrex.aliases.models import SenderAlias
from centrex.backoffice import urls as backoffice_urls
from centrex.customers.models import Customer, Extension
from centrex.support.models import SupportQuestion
from tests.core.test_activity_words import audit_codes_in_src

RULE_ID = re.compile(r"\bR-[A-Z]\d")
# The CSV downloads are for machines (they keep the codes); the rest are pages.
NOT_PAGES = {"audit_export", "alias_audit_export", "sms_traceability_export", "sms_usage_export"}
# POST-only actions (they answer 405 to GET).
ACTIONS = {
    "customer_set_active",
    "extension_add",
    "extension_add_range",
    "extension_import",
    "extension_remove",
    "user_resend_invitation",
    "user_reset_two_step",
    "alias_approve",
    "alias_reject",
    "alias_revoke",
    "alias_retry",
    "alias_reserved_add",
    "alias_reserved_remove",
    "alias_generic_add",
    "alias_generic_remove",
    "alias_settings",
}
PAGE_NAMES = sorted(
    pattern.name
    for pattern in backoffice_urls.urlpatterns
    if isinstance(pattern, URLPattern) and pattern.name and pattern.name not in NOT_PAGES | ACTIONS
)


def _ids(esempio: Customer, bob: User, alias: SenderAlias, question: SupportQuestion) -> Any:
    return {
        "pk": esempio.pk,
        "user_pk": bob.pk,
        "extension_pk": Extension.objects.filter(customer=esempio).first().pk,  # type: ignore[union-attr]
    }, {"alias_review": alias.pk, "question_detail": question.pk}


@pytest.fixture
def alias(esempio: Customer, alice: User) -> SenderAlias:
    draft = create_alias(esempio, "EsempioNet", acting_user=alice)
    return submit_alias(
        draft, consent=True, acting_user=alice, ip_address="192.0.2.10", language="it"
    )


@pytest.fixture
def question(esempio: Customer, bob: User) -> SupportQuestion:
    now = timezone.now()
    return SupportQuestion.objects.create(
        customer=esempio,
        user=bob,
        subject="Interno",
        body="Come si associa?",
        privacy_acknowledged_at=now,
        created_at=now,
    )


def _url(name: str, ids: Any) -> str:
    by_kind, by_page = ids
    pattern = next(p for p in backoffice_urls.urlpatterns if getattr(p, "name", "") == name)
    wanted = set(pattern.pattern.converters)
    if name in by_page:
        return reverse(f"backoffice:{name}", kwargs={"pk": by_page[name]})
    return reverse(f"backoffice:{name}", kwargs={key: by_kind[key] for key in wanted})


def test_the_walk_covers_the_pages() -> None:
    assert {"dashboard", "alias_queue", "alias_review", "audit_list", "alias_audit"} <= set(
        PAGE_NAMES
    )
    assert len(PAGE_NAMES) >= 15


@pytest.mark.parametrize("language", ["it", "en"])
@pytest.mark.parametrize("name", PAGE_NAMES)
def test_no_rule_id_and_no_audit_code_on_any_back_office_page(
    operator: User,
    operator_client: Client,
    esempio: Customer,
    bob: User,
    alias: SenderAlias,
    question: SupportQuestion,
    name: str,
    language: str,
) -> None:
    # given
    update_own_account(operator, language=language)

    # when
    response = operator_client.get(_url(name, _ids(esempio, bob, alias, question)))

    # then
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    assert not RULE_ID.search(page), RULE_ID.findall(page)
    for code in audit_codes_in_src():
        assert f">{code}<" not in page, code
