"""Dati aziendali's action (R-C2): only the company's own admin changes only the company's
AGCOM data; operators keep theirs through the back office."""

from __future__ import annotations

import pytest

from centrex.accounts.models import User
from centrex.core.errors import PermissionDenied
from centrex.customers.actions import update_company_data
from centrex.customers.models import Customer


@pytest.mark.parametrize("who", ["bob", "carla", "operator"])
def test_only_the_companys_admin_changes_its_company_data(
    request: pytest.FixtureRequest, esempio: Customer, who: str
) -> None:
    # given
    person: User = request.getfixturevalue(who)
    # when / then
    with pytest.raises(PermissionDenied):
        update_company_data(esempio, {"contact_first_name": "Mallory"}, acting_user=person)
    esempio.refresh_from_db()
    assert esempio.contact_first_name == "Alice"


def test_the_contract_data_are_not_company_data(alice: User, esempio: Customer) -> None:
    with pytest.raises(ValueError):
        update_company_data(esempio, {"name": "Mallory S.r.l."}, acting_user=alice)
    esempio.refresh_from_db()
    assert esempio.name == "Esempio S.r.l."


def test_the_brands_follow_the_back_offices_rules(alice: User, esempio: Customer) -> None:
    # when: spaces trimmed, each brand once ignoring case, at most 100 characters
    update_company_data(
        esempio,
        {"brands": ["  Esempio  Shop ", "esempio shop", "ESEMPIO", "x" * 120]},
        acting_user=alice,
    )
    # then
    esempio.refresh_from_db()
    assert esempio.brands == ["Esempio Shop", "ESEMPIO", "x" * 100]
