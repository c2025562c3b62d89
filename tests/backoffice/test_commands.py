"""`centrex createoperator` and `centrex demo` (API.md "Runtime")."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.db import connections
from django.test import Client

from centrex.accounts.models import Role, User
from centrex.backoffice.management.commands.demo import DEMO_PASSWORD
from centrex.core.models import AuditEvent
from centrex.customers.models import Customer, Extension
from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch: Any) -> None:
    """`run_from_argv` closes every connection when the command ends, which would close the
    test's own transaction on PostgreSQL."""
    monkeypatch.setattr(connections, "close_all", lambda: None)


def _centrex(*argv: str) -> int:
    """Run a command as `centrex …` does (cli.main → execute_from_command_line): the exit
    code and what it prints are the real ones."""
    try:
        ManagementUtility(["centrex", *argv]).execute()
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


def test_createoperator_prints_one_line_and_exits_0(capsys: Any, db: None) -> None:
    # when
    code = _centrex(
        "createoperator",
        "--email",
        " Nuovo@Provider.example ",
        "--password",
        "Operatore-Sicuro-2026",
    )

    # then
    out, err = capsys.readouterr()
    assert code == 0
    assert err == ""
    assert out.count("\n") == 1 and "nuovo@provider.example" in out
    operator = User.objects.get(email="nuovo@provider.example")
    assert operator.is_operator and operator.customer is None
    assert operator.check_password("Operatore-Sicuro-2026")
    assert AuditEvent.objects.filter(action="operator.created", object_id=str(operator.pk)).exists()


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("not-an-email", "Operatore-Sicuro-2026"),
        ("operatore@provider.example", "Operatore-Sicuro-2026"),  # taken by the fixture
        ("nuovo@provider.example", "short"),
        ("nuovo@provider.example", "12345678901234"),
        ("nuovo@provider.example", "password1234"),
    ],
)
def test_createoperator_refuses_bad_input_with_a_clear_error_and_exit_1(
    capsys: Any, operator: User, email: str, password: str
) -> None:
    # given
    users = User.objects.count()

    # when
    code = _centrex("createoperator", "--email", email, "--password", password)

    # then
    out, err = capsys.readouterr()
    assert code == 1
    assert out == ""
    assert err.startswith("CommandError: ") and len(err.strip()) > len("CommandError: ")
    assert User.objects.count() == users


def test_createoperator_needs_both_options(capsys: Any, db: None) -> None:
    # when
    code = _centrex("createoperator", "--email", "nuovo@provider.example")

    # then
    assert code != 0
    assert "--password" in capsys.readouterr().err
    assert not User.objects.exists()


def test_createoperator_through_call_command_raises_command_error(operator: User) -> None:
    with pytest.raises(CommandError):
        call_command("createoperator", email=operator.email, password=PASSWORD)


def _demo_rows() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "customers": Customer.objects.count(),
        "extensions": Extension.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def test_demo_loads_everything_the_manual_needs(capsys: Any, db: None) -> None:
    # when
    call_command("demo")

    # then
    esempio = Customer.objects.get(name="Esempio S.r.l.")
    assert (esempio.kind, esempio.vat_number, esempio.pec) == (
        "business",
        "00743110157",
        "esempio@pec.example",
    )
    assert esempio.brands and esempio.contact_person and esempio.phone and esempio.province
    numbers = sorted(int(n) for n in esempio.extensions.values_list("number", flat=True))
    assert numbers == list(range(201, 221))
    users = {u.email: u for u in User.objects.filter(customer=esempio)}
    admins = [u for u in users.values() if u.role == Role.ADMIN]
    plain = [u for u in users.values() if u.role == Role.USER]
    assert len(admins) == 1 and len(plain) == 2
    assert sorted(u.extension_id is None for u in plain) == [False, True]
    consumer = Customer.objects.get(kind="consumer")
    assert User.objects.filter(customer=consumer, role=Role.ADMIN).count() == 1
    statuses = dict(esempio.aliases.values_list("text", "status"))
    assert statuses == {
        "EsempioNet": "validated",
        "Esempio": "pending",
    }  # R-A6, through the workflow
    operator = User.objects.get(is_operator=True)
    everyone = User.objects.all()
    assert all(user.check_password(DEMO_PASSWORD) for user in everyone)
    out = capsys.readouterr().out
    for user in everyone:
        assert user.email in out
    assert DEMO_PASSWORD in out
    assert "Esempio S.r.l." in out and consumer.name in out
    assert "http://127.0.0.1:8000/" in out
    assert operator.email in out


def test_demo_twice_creates_no_duplicates_and_prints_the_logins_again(
    capsys: Any, db: None
) -> None:
    # given
    call_command("demo")
    first_output = capsys.readouterr().out
    rows = _demo_rows()

    # when
    call_command("demo")

    # then
    assert _demo_rows() == rows
    assert capsys.readouterr().out == first_output


def test_demo_logins_work_in_the_browser(db: None) -> None:
    # given
    call_command("demo", stdout=io.StringIO())
    operator = User.objects.get(is_operator=True)
    client = Client()

    # when
    logged_in = client.login(email=operator.email, password=DEMO_PASSWORD)

    # then
    assert logged_in
    assert client.get("/backoffice/").status_code == 200
