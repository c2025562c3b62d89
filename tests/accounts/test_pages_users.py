"""Impostazioni > Utenti, Nuovo Utente and Modifica Utente: the manual's first section, step by
step (R-U2–U7), with the fixed cast."""

from __future__ import annotations

import re
from typing import Any

from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from centrex.accounts.actions import UserData, create_user, update_own_account
from centrex.accounts.models import Role, User
from centrex.customers.actions import provision_extensions
from centrex.customers.models import Customer

USERS = reverse("accounts:user_list")
NEW_USER = reverse("accounts:user_create")


def _logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(user: User, **changes: str) -> dict[str, str]:
    """The Modifica Utente form as the page fills it for `user`, with `changes`."""
    data = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "role": user.role,
        "language": user.language,
        "extension": user.extension.number if user.extension else "",
    }
    data.update(changes)
    return data


def _edit(user: User) -> str:
    return reverse("accounts:user_edit", args=[user.pk])


def _datalist(content: bytes) -> list[str]:
    found = re.search(r'<datalist id="free-extensions">(.*?)</datalist>', content.decode(), re.S)
    assert found
    return re.findall(r'<option value="([^"]+)">', found.group(1))


# Impostazioni > Utenti (R-U2)


def test_user_list_is_in_italian_by_default(alice: User, bob: User) -> None:
    # when
    response = _logged_in(alice).get(USERS)

    # then
    assert response.status_code == 200
    assertContains(response, '<html lang="it">')
    assertContains(
        response, '<h1><span class="muted">Impostazioni &gt;</span> Utenti</h1>', html=True
    )
    assertContains(response, f'<a class="button" href="{NEW_USER}">aggiungi</a>', html=True)
    assertContains(response, '<label for="user-search">Cerca per nome o e-mail</label>', html=True)
    assertContains(response, "<title>Impostazioni &gt; Utenti · Centrex Portal</title>")


def test_user_list_is_in_english_for_an_english_admin(alice: User, bob: User) -> None:
    # given
    update_own_account(alice, language="en")

    # when
    response = _logged_in(alice).get(USERS)

    # then
    assertContains(response, '<html lang="en">')
    assertContains(response, '<h1><span class="muted">Settings &gt;</span> Users</h1>', html=True)
    assertContains(response, '<span class="badge ok">Communicator enabled</span>', html=True)


def test_user_list_shows_role_extension_communicator_and_status(
    alice: User, bob: User, esempio: Customer
) -> None:
    # given: Bob loses his extension; Elena is invited and has none
    _logged_in(alice).post(_edit(bob), _form(bob, extension=""))
    elena = create_user(
        esempio,
        UserData(email="elena@esempio.example", first_name="Elena", last_name="Gialli"),
        acting_user=alice,
    )

    # when
    response = _logged_in(alice).get(USERS)

    # then
    rows = {
        name: row
        for row in re.findall(r"<tr>(.*?)</tr>", response.content.decode(), re.S)
        for name in ("Alice Rossi", "Bob Bianchi", "Elena Gialli")
        if name in row
    }
    assert f'href="{_edit(alice)}"' in rows["Alice Rossi"]
    assert "Amministratore" in rows["Alice Rossi"]
    assert "201" in rows["Alice Rossi"]
    assert "Communicator abilitato" in rows["Alice Rossi"]
    assert "attivo" in rows["Alice Rossi"]
    assert "Utente" in rows["Bob Bianchi"]
    assert "Communicator non abilitato" in rows["Bob Bianchi"]
    assert "invito inviato" in rows["Elena Gialli"]
    assert f'href="{_edit(elena)}"' in rows["Elena Gialli"]


def test_user_list_shows_only_the_customers_own_users(alice: User, bob: User, carla: User) -> None:
    # when
    response = _logged_in(carla).get(USERS)

    # then (R-C3)
    assertContains(response, "Carla Verdi")
    assertNotContains(response, "Alice Rossi")
    assertNotContains(response, "bob@esempio.example")


def test_a_plain_user_may_not_open_the_user_list(bob: User) -> None:
    # when
    response = _logged_in(bob).get(USERS)

    # then
    assert response.status_code == 403
    assert re.search(
        r"<h1\b[^>]*>(?:<i [^>]*></i>)?\s*Non consentito</h1>", response.content.decode()
    )


def test_an_operator_may_not_open_the_user_list(operator: User) -> None:
    # when
    response = _logged_in(operator).get(USERS)

    # then
    assert response.status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client: Client, db: None) -> None:
    # when
    response = client.get(USERS)

    # then
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def _listed(response: Any) -> list[str]:
    return [person.email for person in response.context["page"].object_list]


def test_search_finds_users_by_name_or_email_without_javascript(alice: User, bob: User) -> None:
    # when
    by_name = _logged_in(alice).get(USERS, {"q": "bianchi"})
    by_email = _logged_in(alice).get(USERS, {"q": "alice@"})
    by_full_name = _logged_in(alice).get(USERS, {"q": "Bob Bianchi"})
    by_extension = _logged_in(alice).get(USERS, {"q": "202"})

    # then
    assert _listed(by_name) == ["bob@esempio.example"]
    assertContains(by_name, 'value="bianchi"')
    assertContains(by_name, "<h1>", count=1)
    assert _listed(by_email) == ["alice@esempio.example"]
    assert _listed(by_full_name) == ["bob@esempio.example"]
    assert _listed(by_extension) == ["bob@esempio.example"]


def test_live_search_answers_just_the_table(alice: User, bob: User) -> None:
    # when
    response = _logged_in(alice).get(USERS, {"q": "bob"}, headers={"HX-Request": "true"})

    # then
    assert response.content.decode().lstrip().startswith('<div id="user-table">')
    assertNotContains(response, "<html")
    assertContains(response, "Bob Bianchi")
    assertNotContains(response, "Alice Rossi")
    assert "HX-Request" in response["Vary"]


def test_history_restore_gets_the_whole_page(alice: User, bob: User) -> None:
    # when
    response = _logged_in(alice).get(
        USERS, {"q": "bob"}, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )

    # then
    assertContains(response, "<html")


def test_search_without_results_says_so(alice: User) -> None:
    # when
    response = _logged_in(alice).get(USERS, {"q": "zzz"})

    # then
    assertContains(response, "0 utenti corrispondono a “zzz”.")
    assertContains(response, "Mostra tutti gli utenti")


def _add_users(customer: Customer, admin: User, count: int) -> None:
    """`count` more users, each with an extension from 1000 up."""
    provision_extensions(
        customer,
        [str(n) for n in range(1000, 1000 + count)],
        acting_user=User.objects.operators().get(),
    )
    for index in range(count):
        create_user(
            customer,
            UserData(
                email=f"u{index:03}@esempio.example",
                first_name="Utente",
                last_name=f"{index:03}",
                extension=str(1000 + index),
            ),
            acting_user=admin,
        )


def test_user_list_pages_by_fifty(alice: User, esempio: Customer) -> None:
    # given: Alice and 60 more users
    _add_users(esempio, alice, 60)

    # when
    first = _logged_in(alice).get(USERS)
    second = _logged_in(alice).get(USERS, {"page": 2})

    # then
    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 11
    assertContains(first, "Pagina 1 di 2")
    assertContains(first, f'href="{USERS}?page=2"')
    assertContains(second, "61 utenti.")


def test_user_list_queries_do_not_grow_with_the_page(alice: User, esempio: Customer) -> None:
    # given: a short page first
    client = _logged_in(alice)
    client.get(USERS)
    with CaptureQueriesContext(connection) as short_page:
        client.get(USERS)
    _add_users(esempio, alice, 49)

    # when: a full page of 50 users, each with an extension
    with CaptureQueriesContext(connection) as full_page:
        response = client.get(USERS)

    # then
    assert len(response.context["page"].object_list) == 50
    assert len(full_page.captured_queries) == len(short_page.captured_queries)


# Nuovo Utente (R-U3)


def test_new_user_page_follows_the_manual(alice: User) -> None:
    # when
    response = _logged_in(alice).get(NEW_USER)

    # then
    assert response.status_code == 200
    assertContains(response, "<h1>Nuovo Utente</h1>", html=True)
    assertContains(response, "<legend>Informazioni personali</legend>", html=True)
    assertContains(response, '<label for="id_extension">Interno IP Centrex</label>', html=True)
    assertContains(response, '<button type="submit">Salva</button>', html=True)
    for label in ("E-mail", "Nome", "Cognome", "Ruolo", "Lingua"):
        assertContains(response, f">{label}</label>")
    page = response.content.decode()
    assert page.index("<legend>Informazioni personali</legend>") < page.index('id="id_extension"')
    assert re.search(r'<input type="text" name="extension"[^>]*list="free-extensions"', page)


def test_new_user_page_is_in_english_for_an_english_admin(alice: User) -> None:
    # given
    update_own_account(alice, language="en")

    # when
    response = _logged_in(alice).get(NEW_USER)

    # then
    assertContains(response, "<h1>New User</h1>", html=True)
    assertContains(response, "<legend>Personal information</legend>", html=True)
    assertContains(response, '<label for="id_extension">IP Centrex extension</label>', html=True)


def test_new_user_page_suggests_only_the_customers_free_extensions_in_order(
    alice: User, bob: User, carla: User, esempio: Customer, operator: User
) -> None:
    # given: 1000 sorts after 203 by number
    provision_extensions(esempio, ["1000", "99"], acting_user=operator)

    # when
    response = _logged_in(alice).get(NEW_USER)

    # then (R-U5): 201 and 202 are taken, Altra's 301 is not ours
    numbers = _datalist(response.content)
    assert numbers[:3] == ["99", "203", "204"]
    assert numbers[-1] == "1000"
    assert "201" not in numbers
    assert "202" not in numbers
    assert "301" not in numbers


def test_new_user_page_caps_the_suggestions(alice: User, esempio: Customer, operator: User) -> None:
    # given
    provision_extensions(esempio, [str(n) for n in range(1000, 1600)], acting_user=operator)

    # when
    response = _logged_in(alice).get(NEW_USER)

    # then
    assert len(_datalist(response.content)) == 500


def test_saving_a_new_user_with_an_extension_invites_them(
    alice: User, esempio: Customer, django_capture_on_commit_callbacks
) -> None:
    # given (manual: aggiungi > Nuovo Utente > Informazioni personali > Salva)
    client = _logged_in(alice)
    form = {
        "email": "Elena@Esempio.example",
        "first_name": "Elena",
        "last_name": "Gialli",
        "role": Role.USER,
        "language": "it",
        "extension": "203",
    }

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(NEW_USER, form, follow=True)

    # then
    elena = User.objects.get(email="elena@esempio.example")
    assert elena.customer == esempio
    assert elena.extension is not None and elena.extension.number == "203"
    assert elena.communicator_enabled
    assert response.redirect_chain == [(USERS, 302)]
    assertContains(response, "Utente salvato: Communicator abilitato sull&#x27;interno 203.")
    assertContains(response, "elena@esempio.example")
    assert [message.to for message in mail.outbox] == [["elena@esempio.example"]]


def test_the_invitation_link_lets_the_new_user_choose_a_password_and_log_in(
    alice: User, django_capture_on_commit_callbacks
) -> None:
    # given
    with django_capture_on_commit_callbacks(execute=True):
        _logged_in(alice).post(
            NEW_USER,
            {
                "email": "elena@esempio.example",
                "first_name": "Elena",
                "last_name": "Gialli",
                "role": Role.USER,
                "language": "it",
                "extension": "",
            },
        )
    found = re.search(r"https?://\S+/accounts/set-password/\S+", str(mail.outbox[0].body))
    assert found
    link = "/" + found.group(0).split("://", 1)[1].split("/", 1)[1]
    visitor = Client()

    # when
    page = visitor.get(link)
    chosen = visitor.post(
        link,
        {"new_password": "Elena-Sceglie-2026", "confirm_password": "Elena-Sceglie-2026"},
        follow=True,
    )

    # then
    assertContains(page, "<h1>Scegli la tua password</h1>", html=True)
    assertContains(page, "elena@esempio.example")
    assert chosen.redirect_chain[-1][0] == reverse("accounts:dashboard")
    assertContains(chosen, "Benvenuto nell&#x27;Area Clienti.")
    again = Client()
    assert (
        again.post(
            reverse("accounts:login"),
            {"email": "elena@esempio.example", "password": "Elena-Sceglie-2026"},
        ).status_code
        == 302
    )


def test_a_new_user_without_extension_is_saved_without_communicator(alice: User) -> None:
    # when
    response = _logged_in(alice).post(
        NEW_USER,
        {"email": "elena@esempio.example", "role": Role.USER, "language": "en", "extension": ""},
        follow=True,
    )

    # then
    elena = User.objects.get(email="elena@esempio.example")
    assert elena.extension is None
    assert elena.language == "en"
    assertContains(response, "Communicator non abilitato perché nessun interno è associato.")


def test_a_taken_extension_is_refused_on_the_field(alice: User, bob: User) -> None:
    # when: 202 is Bob's
    response = _logged_in(alice).post(
        NEW_USER,
        {"email": "elena@esempio.example", "role": Role.USER, "language": "it", "extension": "202"},
    )

    # then (R-U5)
    assert response.status_code == 200
    assertContains(
        response,
        '<ul class="errorlist" id="id_extension_error"><li>L&#x27;interno 202 non può essere '
        "associato: non esiste per la tua azienda o è già di un altro utente. Scegli uno dei tuoi "
        "interni liberi.</li></ul>",
        html=True,
    )
    assertContains(response, 'aria-invalid="true"')
    assert not User.objects.filter(email="elena@esempio.example").exists()


def test_another_customers_extension_is_refused_on_the_field(
    alice: User, bob: User, altra: Customer
) -> None:
    # when: 302 is Altra's and free there
    response = _logged_in(alice).post(
        NEW_USER,
        {"email": "elena@esempio.example", "role": Role.USER, "language": "it", "extension": "302"},
    )

    # then (R-U5)
    assertContains(response, 'id="id_extension_error"')
    assertContains(response, "L&#x27;interno 302 non può essere associato")
    assert not User.objects.filter(email="elena@esempio.example").exists()


def test_an_email_with_an_account_is_refused_on_the_field(alice: User, carla: User) -> None:
    # when
    response = _logged_in(alice).post(
        NEW_USER,
        {"email": "carla@altra.example", "role": Role.USER, "language": "it"},
    )

    # then
    assertContains(response, 'id="id_email_error"')
    assertContains(response, "carla@altra.example ha già un account.")


def test_a_bad_email_is_refused_on_the_field(alice: User) -> None:
    # when
    response = _logged_in(alice).post(
        NEW_USER,
        {"email": "non-una-email", "role": Role.USER, "language": "it"},
    )

    # then
    assertContains(response, 'id="id_email_error"')
    assertContains(response, "Inserisci un indirizzo e-mail valido")


def test_a_plain_user_may_not_create_users(bob: User) -> None:
    # when
    page = _logged_in(bob).get(NEW_USER)
    post = _logged_in(bob).post(
        NEW_USER, {"email": "x@esempio.example", "role": Role.ADMIN, "language": "it"}
    )

    # then
    assert page.status_code == 403
    assert post.status_code == 403
    assert not User.objects.filter(email="x@esempio.example").exists()


# Modifica Utente (R-U4, R-U7)


def test_edit_user_page_follows_the_manual(alice: User, bob: User) -> None:
    # when
    response = _logged_in(alice).get(_edit(bob))

    # then
    assert response.status_code == 200
    assertContains(response, "<h1>Modifica Utente</h1>", html=True)
    assertContains(response, "<legend>Informazioni personali</legend>", html=True)
    assertContains(response, '<label for="id_extension">Interno IP Centrex</label>', html=True)
    assertContains(response, 'value="202"')
    assertContains(response, '<button type="submit">Salva</button>', html=True)
    assertContains(response, "Communicator abilitato")
    assert "202" in _datalist(response.content)


def test_edit_user_page_is_in_english_for_an_english_admin(alice: User, bob: User) -> None:
    # given
    update_own_account(alice, language="en")

    # when
    response = _logged_in(alice).get(_edit(bob))

    # then
    assertContains(response, "<h1>Edit User</h1>", html=True)
    assertContains(response, '<button type="submit">Save</button>', html=True)


def test_associating_extension_203_with_bob_follows_the_manual(alice: User, bob: User) -> None:
    # given (manual: Impostazioni > Utenti > Bob > Modifica Utente > Informazioni personali)
    client = _logged_in(alice)
    listing = client.get(USERS)
    assertContains(listing, f'<a href="{_edit(bob)}">Bob Bianchi</a>', html=True)

    # when: the admin types 203 and presses Salva
    response = client.post(_edit(bob), _form(bob, extension="203"), follow=True)

    # then (R-U4, R-U6)
    bob.refresh_from_db()
    assert bob.extension is not None and bob.extension.number == "203"
    assert bob.communicator_enabled
    assert response.redirect_chain == [(USERS, 302)]
    assertContains(response, "Utente salvato: Communicator abilitato sull&#x27;interno 203.")


def test_emptying_the_extension_dissociates_it(alice: User, bob: User) -> None:
    # when
    response = _logged_in(alice).post(_edit(bob), _form(bob, extension=""), follow=True)

    # then (R-U4, R-U6)
    bob.refresh_from_db()
    assert bob.extension is None
    assert not bob.communicator_enabled
    assertContains(response, "Communicator non abilitato perché nessun interno è associato.")


def test_editing_refuses_a_taken_or_foreign_extension_on_the_field(
    alice: User, bob: User, carla: User
) -> None:
    # when: 201 is Alice's, 301 is Carla's at Altra
    taken = _logged_in(alice).post(_edit(bob), _form(bob, extension="201"))
    foreign = _logged_in(alice).post(_edit(bob), _form(bob, extension="301"))

    # then (R-U5)
    assertContains(taken, 'id="id_extension_error"')
    assertContains(taken, "L&#x27;interno 201 non può essere associato")
    assertContains(foreign, 'id="id_extension_error"')
    assertContains(foreign, "L&#x27;interno 301 non può essere associato")
    bob.refresh_from_db()
    assert bob.extension is not None and bob.extension.number == "202"


def test_the_last_admin_keeps_the_role(alice: User, bob: User) -> None:
    # when: Alice, the only admin, makes herself a plain user
    response = _logged_in(alice).post(_edit(alice), _form(alice, role=Role.USER))

    # then (R-U7)
    assertContains(response, 'id="id_role_error"')
    assertContains(response, "è l&#x27;ultimo amministratore attivo dell&#x27;azienda.")
    alice.refresh_from_db()
    assert alice.role == Role.ADMIN


def test_the_last_admin_cannot_be_deactivated(alice: User, bob: User) -> None:
    # when
    response = _logged_in(alice).post(
        reverse("accounts:user_deactivate", args=[alice.pk]), follow=True
    )

    # then (R-U7)
    assert response.redirect_chain == [(_edit(alice), 302)]
    assertContains(response, "è l&#x27;ultimo amministratore attivo dell&#x27;azienda.")
    alice.refresh_from_db()
    assert alice.is_active


def test_deactivating_a_user_frees_the_extension(alice: User, bob: User) -> None:
    # when
    response = _logged_in(alice).post(
        reverse("accounts:user_deactivate", args=[bob.pk]), follow=True
    )

    # then (R-U6)
    bob.refresh_from_db()
    assert not bob.is_active
    assert bob.extension is None
    assertContains(response, "Bob Bianchi è disattivato")
    assertContains(response, "Riattiva l'utente")
    assert "202" in _datalist(_logged_in(alice).get(NEW_USER).content)


def test_a_deactivated_user_can_be_reactivated(alice: User, bob: User) -> None:
    # given
    client = _logged_in(alice)
    client.post(reverse("accounts:user_deactivate", args=[bob.pk]))

    # when
    response = client.post(reverse("accounts:user_reactivate", args=[bob.pk]), follow=True)

    # then
    bob.refresh_from_db()
    assert bob.is_active
    assertContains(response, "Bob Bianchi è di nuovo attivo.")


def test_deactivation_needs_a_post(alice: User, bob: User) -> None:
    # when
    response = _logged_in(alice).get(reverse("accounts:user_deactivate", args=[bob.pk]))

    # then
    assert response.status_code == 405
    bob.refresh_from_db()
    assert bob.is_active


def test_the_invitation_can_be_sent_again_to_who_never_chose_a_password(
    alice: User, esempio: Customer, django_capture_on_commit_callbacks
) -> None:
    # given
    elena = create_user(esempio, UserData(email="elena@esempio.example"), acting_user=alice)
    client = _logged_in(alice)
    page = client.get(_edit(elena))

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:user_resend_invitation", args=[elena.pk]), follow=True
        )

    # then
    assertContains(page, "Invia di nuovo l'invito")
    assertContains(response, "Un nuovo invito è stato inviato a elena@esempio.example.")
    assert [message.to for message in mail.outbox] == [["elena@esempio.example"]]


def test_no_invitation_is_offered_to_who_has_a_password(alice: User, bob: User) -> None:
    # when
    page = _logged_in(alice).get(_edit(bob))
    response = _logged_in(alice).post(
        reverse("accounts:user_resend_invitation", args=[bob.pk]), follow=True
    )

    # then
    assertNotContains(page, "Invia di nuovo l'invito")
    assertContains(response, "Questo utente ha già scelto una password.")


def test_another_customers_user_is_not_found(alice: User, carla: User) -> None:
    # given
    client = _logged_in(alice)

    # when
    responses = [
        client.get(_edit(carla)),
        client.post(_edit(carla), _form(carla, first_name="Hacked")),
        client.post(reverse("accounts:user_deactivate", args=[carla.pk])),
        client.post(reverse("accounts:user_reactivate", args=[carla.pk])),
        client.post(reverse("accounts:user_resend_invitation", args=[carla.pk])),
        client.get(reverse("accounts:user_edit", args=[999999])),
    ]

    # then (R-C3)
    assert [response.status_code for response in responses] == [404] * 6
    assert re.search(
        r"<h1\b[^>]*>(?:<i [^>]*></i>)?\s*Non trovato</h1>", responses[0].content.decode()
    )
    carla.refresh_from_db()
    assert carla.first_name == "Carla"
    assert carla.is_active


def test_a_plain_user_may_not_edit_colleagues(alice: User, bob: User) -> None:
    # when
    response = _logged_in(bob).post(_edit(alice), _form(alice, first_name="Hacked"))

    # then
    assert response.status_code == 403
    alice.refresh_from_db()
    assert alice.first_name == "Alice"


def test_a_second_admin_lets_the_first_step_down(alice: User, bob: User) -> None:
    # given
    client = _logged_in(alice)
    client.post(_edit(bob), _form(bob, role=Role.ADMIN))

    # when
    response = client.post(_edit(alice), _form(alice, role=Role.USER))

    # then (R-U7 holds: Bob is an active admin)
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.role == Role.USER
    assert _logged_in(alice).get(USERS).status_code == 403
