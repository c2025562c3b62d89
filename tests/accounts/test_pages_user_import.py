"""Impostazioni > Utenti > «Importa da CSV» (issue 14): every line checked with Nuovo Utente's
rules (R-U3–U5) first; one bad line imports nothing and the page lists every bad line; a good
file creates every user in one transaction, with the invitations sent after commit."""

from __future__ import annotations

import re
from typing import Any

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from centrex.accounts.actions import ImportedLine, UserData, import_users
from centrex.accounts.models import Role, User
from centrex.accounts.user_import import EXAMPLE_CSV, MAX_BYTES, MAX_LINES
from centrex.core.errors import PermissionDenied
from centrex.core.models import AuditEvent
from centrex.customers.models import Customer

IMPORT = reverse("accounts:user_import")
EXAMPLE = reverse("accounts:user_import_example")
USERS = reverse("accounts:user_list")

GOOD = (
    "e-mail;nome;cognome;ruolo;interno\n"
    "elena@esempio.example;Elena;Gialli;utente;203\n"
    "franco@esempio.example;Franco;Neri;amministratore;\n"
    "gina@esempio.example;Gina;Rosa;;204\n"
)


def _logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _upload(client: Client, content: str | bytes, name: str = "utenti.csv", **extra: Any) -> Any:
    raw = content.encode("utf-8") if isinstance(content, str) else content
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, raw, "text/csv")}, **extra)


def _problems(response: Any) -> dict[int, str]:
    """The page's bad lines: number → what to correct."""
    rows = re.findall(
        r'<tr data-line="(\d+)">\s*<td>\d+</td>\s*<td[^>]*>(.*?)</td>',
        response.content.decode(),
        re.S,
    )
    return {int(number): text for number, text in rows}


def _imported() -> set[str]:
    return set(
        User.objects.filter(
            email__in=["elena@esempio.example", "franco@esempio.example"]
        ).values_list("email", flat=True)
    )


# --- A good file --------------------------------------------------------------------------


def test_a_good_file_creates_every_user_and_invites_them(
    alice: User, esempio: Customer, django_capture_on_commit_callbacks
) -> None:
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(_logged_in(alice), GOOD, follow=True)
    # then
    assert response.redirect_chain == [(USERS, 302)]
    assert "3 utenti importati" in response.content.decode()
    elena = User.objects.get(email="elena@esempio.example")
    franco = User.objects.get(email="franco@esempio.example")
    gina = User.objects.get(email="gina@esempio.example")
    assert (elena.customer, elena.role, elena.extension.number) == (esempio, Role.USER, "203")
    assert (franco.role, franco.extension, franco.first_name) == (Role.ADMIN, None, "Franco")
    assert (gina.role, gina.extension.number, gina.language) == (Role.USER, "204", "it")
    assert not elena.has_usable_password()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "elena@esempio.example",
        "franco@esempio.example",
        "gina@esempio.example",
    ]
    assert AuditEvent.objects.filter(action="user.created", actor=alice).count() == 3
    imported = AuditEvent.objects.get(action="user.imported")
    assert (imported.actor, imported.customer_id, imported.data["users"]) == (alice, esempio.pk, 3)


def test_english_headers_role_words_and_commas_with_a_bom(alice: User) -> None:
    # given: Excel's «CSV UTF-8» starts with a BOM; elsewhere the separator is a comma
    content = (
        "\ufeffEmail,First name,Last name,Role,Extension\n"
        "elena@esempio.example,Elena,Gialli,Administrator,205\n"
        '"franco@esempio.example","Franco","De Neri, jr",user,\n'
    )
    # when
    response = _upload(_logged_in(alice), content)
    # then
    assert response.status_code == 302
    elena = User.objects.get(email="elena@esempio.example")
    franco = User.objects.get(email="franco@esempio.example")
    assert (elena.role, elena.extension.number) == (Role.ADMIN, "205")
    assert (franco.role, franco.last_name) == (Role.USER, "De Neri, jr")


def test_semicolons_as_excel_writes_them_in_italy(alice: User) -> None:
    # given: semicolons, quoted cells, blank lines, CRLF, upper case e-mail
    content = 'E-mail;Nome;Cognome;Ruolo\r\n"Elena@Esempio.example";"Elena";Gialli;UTENTE\r\n\r\n'
    # when
    response = _upload(_logged_in(alice), content)
    # then
    assert response.status_code == 302
    assert User.objects.get(email="elena@esempio.example").role == Role.USER


def test_the_example_file_downloads_and_imports_as_it_is(alice: User, esempio: Customer) -> None:
    # given: the example's extensions 201 and 202 are Alice's and Bob's here, so free them
    client = _logged_in(alice)
    # when
    download = client.get(EXAMPLE)
    # then
    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in download["Content-Disposition"]
    assert download.content.decode("utf-8") == EXAMPLE_CSV
    assert download.content.startswith(b"\xef\xbb\xbf")
    freed = download.content.replace(b";201\r\n", b";210\r\n").replace(b";202\r\n", b";211\r\n")
    assert _upload(client, freed).status_code == 302
    assert User.objects.filter(email__endswith="@esempio.it").count() == 3


# --- One bad line imports nothing ----------------------------------------------------------


def test_one_bad_line_imports_nothing_and_every_bad_line_is_listed(
    alice: User, django_capture_on_commit_callbacks
) -> None:
    # given: line 3 has a bad e-mail, line 5 an unknown role; 2 and 4 are good
    content = (
        "e-mail;nome;cognome;ruolo;interno\n"
        "elena@esempio.example;Elena;Gialli;utente;203\n"
        "non-una-email;Mario;Rossi;utente;\n"
        "franco@esempio.example;Franco;Neri;utente;\n"
        "gina@esempio.example;Gina;Rosa;capo;\n"
    )
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(_logged_in(alice), content)
    # then
    assert response.status_code == 200
    assert "Non è stato importato nulla" in response.content.decode()
    problems = _problems(response)
    assert set(problems) == {3, 5}
    assert problems[3].startswith("e-mail: Inserisci un indirizzo e-mail valido")
    assert "«capo» non è un ruolo" in problems[5]
    assert "2 righe da correggere" in response.content.decode()
    assert _imported() == set()
    assert not User.objects.filter(email="gina@esempio.example").exists()
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(
        action__in=["user.created", "user.imported"], actor=alice
    ).exists()


def test_an_email_twice_in_the_file_names_the_first_line(alice: User) -> None:
    # given
    content = (
        "e-mail;nome\nelena@esempio.example;Elena\nfranco@esempio.example;F\n"
        "ELENA@esempio.example;Elena di nuovo\n"
    )
    # when
    response = _upload(_logged_in(alice), content)
    # then
    problems = _problems(response)
    assert list(problems) == [4]
    assert "elena@esempio.example è anche alla riga 2" in problems[4]
    assert _imported() == set()


def test_an_email_that_already_has_an_account_is_refused(alice: User, carla: User) -> None:
    # given: Carla's e-mail, of another customer
    content = f"e-mail;nome\nelena@esempio.example;Elena\n{carla.email};Carla\n"
    # when
    response = _upload(_logged_in(alice), content)
    # then
    assert _problems(response) == {
        3: f"e-mail: {carla.email} ha già un account. Usa un altro indirizzo e-mail."
    }
    assert _imported() == set()


def test_an_extension_twice_in_the_file_is_refused(alice: User) -> None:
    # given
    content = "e-mail;interno\nelena@esempio.example;205\nfranco@esempio.example;205\n"
    # when
    response = _upload(_logged_in(alice), content)
    # then
    problems = _problems(response)
    assert list(problems) == [3]
    assert "interno: 205 è anche alla riga 2" in problems[3]
    assert _imported() == set()


def test_a_taken_an_unknown_and_a_foreign_extension_are_refused(
    alice: User, bob: User, carla: User
) -> None:
    # given: 202 is Bob's, 999 does not exist, 302 is Altra's
    content = (
        "e-mail;interno\nelena@esempio.example;202\nfranco@esempio.example;999\n"
        "gina@esempio.example;302\nugo@esempio.example;206\n"
    )
    # when
    response = _upload(_logged_in(alice), content)
    # then
    problems = _problems(response)
    assert set(problems) == {2, 3, 4}
    for number, extension in ((2, "202"), (3, "999"), (4, "302")):
        assert problems[number].startswith(f"interno: L&#x27;interno {extension} non può")
    assert not User.objects.filter(email="ugo@esempio.example").exists()


# --- The file as a whole --------------------------------------------------------------------


def test_a_file_that_is_not_utf8_is_refused(alice: User) -> None:
    # given: Latin-1, as an old Excel saves «Città»
    content = "e-mail;nome\nelena@esempio.example;Nicolò\n".encode("latin-1")
    # when
    response = _upload(_logged_in(alice), content)
    # then
    assert response.status_code == 200
    assert "Il file non è testo UTF-8" in response.content.decode()
    assert _imported() == set()


def test_a_file_too_large_is_refused(alice: User) -> None:
    # given
    content = "e-mail;nome\n" + "x" * MAX_BYTES
    # when
    response = _upload(_logged_in(alice), content)
    # then
    assert response.status_code == 200
    assert "Il file è più grande di 1 MB" in response.content.decode()


def test_too_many_lines_are_refused(alice: User) -> None:
    # given
    lines = "".join(f"u{n}@esempio.example;U\n" for n in range(MAX_LINES + 1))
    # when
    response = _upload(_logged_in(alice), "e-mail;nome\n" + lines)
    # then
    assert "Il file ha più di 1000 utenti" in response.content.decode()
    assert not User.objects.filter(email="u0@esempio.example").exists()


def test_an_unknown_header_is_refused_by_name(alice: User) -> None:
    # when
    response = _upload(_logged_in(alice), "e-mail;telefono\nelena@esempio.example;333\n")
    # then
    assert "«telefono» non è tra questi" in response.content.decode()
    assert _imported() == set()


def test_a_file_without_users_is_refused(alice: User) -> None:
    # when
    response = _upload(_logged_in(alice), "e-mail;nome\n\n")
    # then
    assert "Il file non ha utenti" in response.content.decode()


def test_no_file_is_refused_on_the_field(alice: User) -> None:
    # when
    response = _logged_in(alice).post(IMPORT, {})
    # then
    assert response.status_code == 200
    assert "Questo campo è obbligatorio." in response.content.decode()


# --- Who may import -------------------------------------------------------------------------


def test_the_page_is_in_italian_with_the_example_link(alice: User) -> None:
    # when
    content = _logged_in(alice).get(IMPORT).content.decode()
    # then
    assert "Importa utenti da CSV" in content
    assert f'href="{EXAMPLE}"' in content
    assert 'enctype="multipart/form-data"' in content
    assert f'href="{IMPORT}"' in _logged_in(alice).get(USERS).content.decode()


def test_an_admin_imports_into_their_own_customer_only(
    alice: User, carla: User, esempio: Customer
) -> None:
    # given: Carla (Altra) uploads a file naming Esempio's free extension 205
    content = "e-mail;interno\nelena@esempio.example;205\n"
    # when
    response = _upload(_logged_in(carla), content)
    # then: 205 is not Altra's, and nobody joins Esempio
    assert "interno: L&#x27;interno 205 non può" in _problems(response)[2]
    assert not User.objects.filter(customer=esempio, email="elena@esempio.example").exists()
    # and a file without extensions lands in Carla's own customer
    _upload(_logged_in(carla), "e-mail\nelena@esempio.example\n")
    assert User.objects.get(email="elena@esempio.example").customer == carla.customer


def test_a_plain_user_is_refused(bob: User) -> None:
    # when
    page = _logged_in(bob).get(IMPORT)
    upload = _upload(_logged_in(bob), GOOD)
    example = _logged_in(bob).get(EXAMPLE)
    # then
    assert (page.status_code, upload.status_code, example.status_code) == (403, 403, 403)
    assert _imported() == set()


def test_the_action_refuses_another_customers_admin(
    alice: User, carla: User, esempio: Customer
) -> None:
    # given
    lines = [ImportedLine(2, UserData(email="elena@esempio.example"))]
    # when / then
    try:
        import_users(esempio, lines, acting_user=carla)
    except PermissionDenied:
        pass
    else:
        raise AssertionError("Carla imported users into Esempio")
    assert _imported() == set()


def test_a_line_lists_every_problem_it_has(alice: User, bob: User) -> None:
    # given: an unknown role word and Bob's extension on the same line
    content = "e-mail;ruolo;interno\nelena@esempio.example;capo;202\n"
    # when
    response = _upload(_logged_in(alice), content)
    # then
    problem = _problems(response)[2]
    assert "«capo» non è un ruolo" in problem
    assert "interno: L&#x27;interno 202 non può" in problem
    assert _imported() == set()
