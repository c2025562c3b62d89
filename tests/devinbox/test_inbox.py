"""The developer inbox: what the embedded outbox received, readable without login, so a
first-time user of `make run` can open their invitation link (DESIGN, API.md EMAIL_URL)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.test import Client
from django.urls import reverse

from centrex.accounts.actions import invitation_link
from centrex.accounts.models import User
from centrex.core.mail import render_email

OUTBOX_BACKEND = "centrex.core.mail.OutboxEmailBackend"
INDEX = reverse("devinbox:index")


@pytest.fixture
def outbox(settings: Any, tmp_path: Path) -> Path:
    """An empty outbox for this test, with the developer inbox on."""
    directory = tmp_path / "outbox"
    settings.CENTREX_OUTBOX_DIR = directory
    settings.CENTREX_DEV_INBOX = True
    return directory


def _send(*messages: EmailMessage) -> None:
    get_connection(OUTBOX_BACKEND).send_messages(list(messages))


def _only_file(directory: Path) -> str:
    [path] = directory.glob("*.eml")
    return path.name


def test_an_invitation_appears_with_a_clickable_link(
    outbox: Path, client: Client, alice: User
) -> None:
    # given the invitation e-mail, sent through the file outbox as `make run` does
    link = invitation_link(alice)
    rendered = render_email(
        "accounts/emails/invitation",
        to=[alice.email],
        language="it",
        context={"user": alice, "link": link, "invited_by": None, "customer": alice.customer},
    )
    message = EmailMultiAlternatives(rendered.subject, rendered.text, to=rendered.to)
    message.attach_alternative(rendered.html, "text/html")
    _send(message)

    # when someone not logged in opens the inbox
    listing = client.get(INDEX)

    # then the e-mail is listed with its recipient and subject, and a development banner
    assert listing.status_code == 200
    page = listing.content.decode()
    name = _only_file(outbox)
    assert alice.email in page
    assert rendered.subject in page
    assert f'href="{reverse("devinbox:message", kwargs={"name": name})}"' in page
    assert "Strumento di sviluppo." in page

    # when they open it
    detail = client.get(reverse("devinbox:message", kwargs={"name": name}))

    # then the text part's link is a real link, and the HTML part is sandboxed
    assert detail.status_code == 200
    page = detail.content.decode()
    escaped_link = link.replace("&", "&amp;")
    assert re.search(rf'<a href="{re.escape(escaped_link)}"[^>]*>', page), page
    assert 'sandbox="allow-popups allow-popups-to-escape-sandbox"' in page
    assert "srcdoc=" in page
    assert "Strumento di sviluppo." in page
    assert re.search(rf"<dd[^>]*>{re.escape(alice.email)}</dd>", page)


def test_the_newest_email_comes_first(outbox: Path, client: Client, db: None) -> None:
    # given two e-mails sent one after the other
    _send(EmailMessage("Prima e-mail", "uno", to=["uno@esempio.example"]))
    _send(EmailMessage("Seconda e-mail", "due", to=["due@esempio.example"]))

    # when
    page = client.get(INDEX).content.decode()

    # then
    assert page.index("Seconda e-mail") < page.index("Prima e-mail")


def test_dates_are_shown_in_italian_time(outbox: Path, client: Client, db: None) -> None:
    # given an e-mail dated in UTC, as Django dates them
    outbox.mkdir(parents=True)
    (outbox / "20260115T083000000000-0badc0de.eml").write_bytes(
        b"Date: Thu, 15 Jan 2026 08:30:00 -0000\nTo: x@esempio.example\nSubject: Orario\n\ntesto\n"
    )

    # when
    page = client.get(INDEX).content.decode()

    # then it is listed in Europe/Rome time (UTC+1 in January)
    assert "15/01/2026 09:30" in page


def test_the_html_part_cannot_run_scripts_or_break_out(
    outbox: Path, client: Client, db: None
) -> None:
    # given an e-mail whose HTML holds a script and tries to close the iframe
    message = EmailMultiAlternatives("Ostile", "testo", to=["x@esempio.example"])
    message.attach_alternative(
        '<html><head></head><body>"></iframe><script>alert(1)</script></body></html>', "text/html"
    )
    _send(message)

    # when
    page = client.get(
        reverse("devinbox:message", kwargs={"name": _only_file(outbox)})
    ).content.decode()

    # then it sits escaped inside srcdoc of a frame that allows no scripts
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    frame = re.search(r"<iframe[^>]*>", page)
    assert frame is not None
    assert "allow-scripts" not in frame.group(0)
    assert "allow-same-origin" not in frame.group(0)
    # links inside the preview open outside the frame
    assert "&lt;head&gt;&lt;base target=&quot;_blank&quot;&gt;" in page


@pytest.mark.parametrize(
    "name",
    [
        "..",
        "..%2F..%2Fsecret_key",
        "%2E%2E",
        "secret_key",
        ".hidden.eml",
        "..eml",
        "x.eml.tmp",
        "a%00.eml",
        "nope.eml",
    ],
)
def test_names_that_are_not_outbox_files_are_404(
    name: str, outbox: Path, client: Client, settings: Any, db: None
) -> None:
    # given a real e-mail, and a secret file next to the outbox
    _send(EmailMessage("Vera", "testo", to=["x@esempio.example"]))
    (outbox.parent / "secret_key").write_text("shh")
    (outbox.parent / "secret_key.eml").write_text("Subject: segreto\n\nshh")

    # when
    response = client.get(f"{INDEX}{name}/")

    # then
    assert response.status_code == 404
    assert b"shh" not in response.content


def test_a_link_out_of_the_outbox_is_not_followed(outbox: Path, client: Client, db: None) -> None:
    # given a symbolic link in the outbox that points outside it
    outbox.mkdir(parents=True)
    secret = outbox.parent / "elsewhere.eml"
    secret.write_text("Subject: segreto\n\nshh")
    (outbox / "20260101T000000000000-deadbeef.eml").symlink_to(secret)

    # when
    response = client.get(
        reverse("devinbox:message", kwargs={"name": "20260101T000000000000-deadbeef.eml"})
    )

    # then
    assert response.status_code == 404


def test_everything_is_404_when_the_inbox_is_off(
    outbox: Path, client: Client, settings: Any, db: None
) -> None:
    # given an e-mail in the outbox, but the developer inbox switched off
    _send(EmailMessage("Vera", "testo", to=["x@esempio.example"]))
    settings.CENTREX_DEV_INBOX = False

    # when / then
    assert client.get(INDEX).status_code == 404
    response = client.get(reverse("devinbox:message", kwargs={"name": _only_file(outbox)}))
    assert response.status_code == 404


def test_an_empty_outbox_says_how_to_fill_it(outbox: Path, client: Client, db: None) -> None:
    # when the outbox directory does not even exist yet
    response = client.get(INDEX)

    # then
    assert response.status_code == 200
    assert "Non è ancora stata inviata nessuna e-mail." in response.content.decode()


def test_with_a_real_mail_server_the_inbox_says_emails_are_not_kept(
    client: Client, settings: Any, db: None
) -> None:
    # given e-mail goes to SMTP, but someone switched the inbox on
    settings.CENTREX_OUTBOX_DIR = None
    settings.CENTREX_DEV_INBOX = True

    # when
    response = client.get(INDEX)

    # then
    assert response.status_code == 200
    assert "non sono conservate qui" in response.content.decode()
