"""The AGCOM authorisation an admin gives with "invia richiesta" (R-A7), word for word.

The wording is legal text: it is kept here, per version and language, and not in the gettext
catalogue, so that editing a translation can never change what a customer is recorded as having
agreed to. A new wording gets a new version; the old ones stay, because every AliasConsent row
names the version it was given under and stores the exact text shown.
"""

from __future__ import annotations

from django.conf import settings

CURRENT_CONSENT_VERSION = "2026-11"

CONSENT_WORDINGS: dict[str, dict[str, str]] = {
    "2026-11": {
        "it": (
            "Autorizzo il fornitore del servizio a inserire nel database dell'Autorità per le "
            "Garanzie nelle Comunicazioni (AGCOM) l'alias richiesto e i dati della mia azienda "
            "(ragione sociale, partita IVA, codice fiscale, sede legale, referente, e-mail, PEC, "
            "telefono e marchi), come previsto dalle Delibere 42/13/CIR e 12/23/CIR. Dichiaro "
            "che l'alias è inerente alla ragione sociale o a un marchio che l'azienda ha il "
            "diritto di usare e che sarà usato in modo coerente con il contenuto degli SMS."
        ),
        "en": (
            "I authorise the service provider to insert the requested alias and my company's "
            "data (ragione sociale, partita IVA, codice fiscale, registered office, contact "
            "person, e-mail, PEC, phone and brands) into the database of the Italian "
            "Communications Authority (AGCOM), as Delibere 42/13/CIR and 12/23/CIR require. I "
            "declare that the alias relates to the company name or to a brand the company has "
            "the right to use, and that it will be used consistently with the content of the SMS."
        ),
    },
}


def consent_language(language: str | None) -> str:
    """The language of the wording shown for `language` ("en-gb" → "en"); the default
    language when the wording does not exist in it."""
    code = (language or "").split("-")[0].lower()
    wordings = CONSENT_WORDINGS[CURRENT_CONSENT_VERSION]
    return code if code in wordings else settings.LANGUAGE_CODE


def consent_wording(language: str | None, version: str = CURRENT_CONSENT_VERSION) -> str:
    """The exact authorisation text of `version` in `language` (R-A7)."""
    return CONSENT_WORDINGS[version][consent_language(language)]
