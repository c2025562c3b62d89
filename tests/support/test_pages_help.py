"""Impostazioni > Aiuto explains every procedure in the user's language (R-U8), and the
privacy notice its question form refers to."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape

from django.test import Client
from django.urls import reverse

from centrex.accounts.models import User


def _text(content: bytes) -> str:
    """The page as a reader sees it: tags removed, entities decoded, spaces collapsed."""
    inline_gone = re.sub(r"</?(?:strong|em|a|code|span)\b[^>]*>", "", content.decode())
    without_tags = re.sub(r"<[^>]+>", " ", inline_gone)
    return " ".join(unescape(without_tags).split())


ITALIAN_KEY_PHRASES = [
    # first access, password reset, Opzioni Account
    "Il collegamento vale 3 giorni",
    "Password dimenticata?",
    "Opzioni Account",
    "codice di verifica di 6 cifre",
    # §1 the manual's steps, literally
    "Seleziona l'Utente desiderato nella sezione Impostazioni > Utenti",
    "All'interno della pagina Modifica Utente, indica il numero di interno IP Centrex da associare "
    "nella sezione Informazioni personali e premi il tasto Salva",
    "Clicca il tasto Aggiungi nella sezione Impostazioni > Utenti",
    "Nuovo Utente",
    "abilitato a Communicator esattamente quando è attivo e ha un interno associato",  # R-U6
    "L'ultimo Amministratore attivo non può essere disattivato",  # R-U7
    # §2-3 aliases
    "massimo 11 caratteri",
    "Delibera 42/13/CIR",
    "Delibera 12/23/CIR",
    "non è possibile inserire numeri telefonici",  # R-A2
    "Invia richiesta",
    "autorizzare il fornitore a procedere",  # R-A7
    "8 ore lavorative",  # R-A8
    "bozza",
    "in attesa di validazione",
    "validato",
    "rifiutato",
    "revocato",
    "ritirato",
    "e-mail di conferma",  # R-A10
    # §4 sender policy
    "ogni utente usa il proprio numero di cellulare",
    "un unico numero di cellulare per tutti gli utenti",
    "premi nuovamente Salva",
    "un unico alias per tutti gli utenti",
    "a scelta del singolo utente",
    "Inviare un SMS da Communicator",
    "Non hai trovato la risposta che cercavi? Inviaci la tua domanda.",
    # issue 14: the application shell and the administrators' new pages
    "Le pagine sono raccolte nel menu laterale a sinistra",
    "In alto a destra, il menu utente (con il tuo nome) contiene la scelta della lingua",
    "«Opzioni Account» ed «Esci»",
    "Sul telefono il menu laterale è nascosto: lo apre il pulsante del menu",
    "«Interni» (Impostazioni › Interni)",
    "«Dati aziendali» (Impostazioni › Dati aziendali)",
    "«Importa da CSV» (in Impostazioni › Utenti)",
    "«Token API» (in Opzioni Account",
    "«(€ vale 2)»",
]

ENGLISH_KEY_PHRASES = [
    "The link is valid for 3 days",
    "Forgot password?",
    "Account Options",
    "6-digit verification code",
    "Select the user in Settings > Users",
    "Edit User",
    "Personal information",
    "press Save",
    "Click Add (Aggiungi) in Settings > Users",
    "New User",
    "enabled for Communicator exactly when they are active and have an extension associated",
    "The last active administrator cannot be deactivated",
    "at most 11 characters",
    "Delibera 42/13/CIR",
    "Delibera 12/23/CIR",
    "phone numbers cannot be used",
    "Send request",
    "8 business hours",
    "draft",
    "awaiting validation",
    "validated",
    "rejected",
    "revoked",
    "withdrawn",
    "confirmation e-mail",
    "every user uses their own mobile number",
    "one mobile number for all users",
    "press Save again",
    "one alias for all users",
    "each user chooses",
    "Sending an SMS from Communicator",
    "Didn't find the answer you were looking for? Send us your question.",
    "The pages are gathered in the side menu on the left",
    "Top right, the user menu (with your name) holds the choice of language",
    "Account Options and Log out (Esci)",
    "On a phone the side menu is hidden: the menu button",
    "Extensions (Interni, in Settings)",
    "Company data (Dati aziendali, in Settings)",
    "Import from CSV (Importa da CSV, in Settings › Users)",
    "API tokens (Token API, in Account Options",
]


def test_help_in_italian_explains_every_procedure(
    alice: User, login: Callable[[User], Client]
) -> None:
    # when Alice (Italian, the default) opens Impostazioni > Aiuto
    response = login(alice).get(reverse("support:help"))

    # then every procedure is there, with the manual's labels (R-U8)
    assert response.status_code == 200
    assert '<html lang="it">' in response.content.decode()
    text = _text(response.content)
    missing = [phrase for phrase in ITALIAN_KEY_PHRASES if phrase not in text]
    assert missing == []
    # and the old menu's words are gone (issue 14)
    assert "nel menu in alto la voce" not in text


def test_help_in_english_for_an_english_user(bob: User, login: Callable[[User], Client]) -> None:
    # given Bob reads the customer area in English
    bob.language = "en"
    bob.save(update_fields=["language"])

    # when
    response = login(bob).get(reverse("support:help"))

    # then the hand-written English text is served, not the Italian one (R-U8)
    assert response.status_code == 200
    text = _text(response.content)
    missing = [phrase for phrase in ENGLISH_KEY_PHRASES if phrase not in text]
    assert missing == []
    assert "Modifica Utente, indica" not in text
    assert "in the top menu" not in text


def test_every_entry_of_the_table_of_contents_leads_to_a_section(
    alice: User, login: Callable[[User], Client]
) -> None:
    for language in ("it", "en"):
        # given
        alice.language = language
        alice.save(update_fields=["language"])

        # when
        page = login(alice).get(reverse("support:help")).content.decode()

        # then every in-page link has its target, and the contents list many of them
        anchors = set(re.findall(r'href="#([\w-]+)"', page))
        targets = set(re.findall(r'id="([\w-]+)"', page))
        assert len(anchors) >= 15
        assert anchors - targets == set()


def test_help_links_to_the_question_form(alice: User, login: Callable[[User], Client]) -> None:
    # when
    response = login(alice).get(reverse("support:help"))

    # then the last section links to «Inviaci la tua domanda»
    page = response.content.decode()
    assert f'<a href="{reverse("support:ask")}">Inviaci la tua domanda</a>' in page


def test_operators_may_read_the_help_and_are_sent_to_their_question_list(
    operator: User, login: Callable[[User], Client]
) -> None:
    # when
    response = login(operator).get(reverse("support:help"))

    # then
    assert response.status_code == 200
    page = response.content.decode()
    assert reverse("backoffice:question_list") in page
    assert f'href="{reverse("support:ask")}"' not in page


def test_help_needs_a_login(client: Client, db: None) -> None:
    # when
    response = client.get(reverse("support:help"))

    # then
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_privacy_notice_point_4_covers_support_requests(client: Client, db: None) -> None:
    # when someone not logged in opens the privacy notice (it is read before asking)
    response = client.get(reverse("support:privacy"))

    # then point 4 is about the questions sent to support
    assert response.status_code == 200
    text = _text(response.content)
    assert "4. Richieste di assistenza («Inviaci la tua domanda»)" in text
    assert "rispondere alla tua domanda" in text
    assert "Regolamento (UE) 2016/679" in text


def test_privacy_notice_in_english(client: Client, db: None) -> None:
    # given
    client.cookies["django_language"] = "en"

    # when
    response = client.get(reverse("support:privacy"))

    # then
    text = _text(response.content)
    assert "4. Support requests (“Send us your question”)" in text
    assert "answering your question" in text
