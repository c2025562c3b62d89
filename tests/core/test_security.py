"""The security headers and cookies of the pages (issue 13, core/security.py, settings.py):
the Content-Security-Policy and its one relaxation, nosniff, Referrer-Policy, no framing;
session and CSRF cookies HttpOnly and SameSite=Lax, Secure behind a TLS proxy; templates with
no inline script, handler or style for the policy to block."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from centrex.accounts.models import User
from centrex.core.security import policy_header
from tests.conftest import PASSWORD

SRC = Path(__file__).resolve().parents[2] / "src" / "centrex"
SITE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def test_every_page_has_the_policy_and_the_other_headers(client: Client, db: None) -> None:
    # when
    response = client.get(reverse("accounts:login"))

    # then
    assert response["Content-Security-Policy"] == SITE_POLICY
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_error_pages_and_api_answers_have_the_policy_too(client: Client, db: None) -> None:
    # when
    missing = client.get("/no-such-page/")
    api = client.get("/api/v1/me")

    # then
    assert missing.status_code == 404 and api.status_code == 401
    assert missing["Content-Security-Policy"] == api["Content-Security-Policy"] == SITE_POLICY


def test_the_api_docs_may_show_swagger_uis_data_images_and_nothing_else(
    client: Client, db: None
) -> None:
    # when
    response = client.get("/api/v1/docs")

    # then: served from ninja's static files (no CDN), under the site's policy but img-src
    assert response.status_code == 200
    assert "cdn" not in response.content.decode().lower()
    policy = response["Content-Security-Policy"]
    assert "img-src 'self' data:;" in policy
    assert policy == SITE_POLICY  # the site's own images allow data: too (issue 14)


def test_the_developer_inbox_message_lets_the_emails_styles_through(
    client: Client, settings: Settings, tmp_path: Path, db: None
) -> None:
    """An e-mail's HTML part lives in a sandboxed srcdoc frame under the page's policy."""
    # given
    settings.CENTREX_OUTBOX_DIR = tmp_path
    settings.CENTREX_DEV_INBOX = True
    settings.EMAIL_BACKEND = "centrex.core.mail.OutboxEmailBackend"
    from django.core.mail import EmailMultiAlternatives

    message = EmailMultiAlternatives("Invito", "Testo", to=["bob@esempio.example"])
    message.attach_alternative('<p style="color: red">Testo</p>', "text/html")
    message.send()
    [sent] = tmp_path.glob("*.eml")

    # when
    response = client.get(reverse("devinbox:message", args=[sent.name]))

    # then
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == SITE_POLICY + "; style-src-attr 'unsafe-inline'"
    assert 'sandbox="allow-popups allow-popups-to-escape-sandbox"' in response.content.decode()


def test_a_policy_is_written_in_the_headers_syntax() -> None:
    assert policy_header({"default-src": "'self'", "upgrade-insecure-requests": ""}) == (
        "default-src 'self'; upgrade-insecure-requests"
    )


# --- Cookies -------------------------------------------------------------------------------


def test_the_csrf_and_session_cookies_are_httponly_and_samesite_lax(
    client: Client, bob: User
) -> None:
    # when
    page = client.get(reverse("accounts:login"))
    token = page.cookies["csrftoken"].value
    logged_in = client.post(
        reverse("accounts:login"),
        {"email": bob.email, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )

    # then
    for cookie in (page.cookies["csrftoken"], logged_in.cookies["sessionid"]):
        assert cookie["httponly"] is True, cookie.key
        assert cookie["samesite"] == "Lax", cookie.key
        assert not cookie["secure"], "plain http (the test server): no Secure"


def test_no_script_reads_the_csrf_cookie() -> None:
    """So it can be HttpOnly: htmx sends the token it finds in the page (base.html)."""
    scripts = [path for path in (SRC / "static").rglob("*.js") if path.name != "htmx.min.js"]
    assert scripts
    for script in scripts:
        assert "cookie" not in script.read_text(encoding="utf-8").lower(), script
    assert "X-CSRFToken" in (SRC / "templates" / "base.html").read_text(encoding="utf-8")


def _settings_with(tmp_path: Path, **environment: str) -> dict[str, object]:
    """Some settings as a deployment with `environment` gets them (a fresh interpreter)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CENTREX_", "DJANGO_", "PYTEST_", "DEBUG"))
    }
    env.update({"CENTREX_DATA_DIR": str(tmp_path), **environment})
    names = [
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_PROXY_SSL_HEADER",
        "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_HTTPONLY",
    ]
    script = (
        "import json, centrex.settings as s; "
        f"print(json.dumps({{n: getattr(s, n, None) for n in {names!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    loaded: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return loaded


def test_behind_a_tls_proxy_the_cookies_are_secure(tmp_path: Path) -> None:
    # when
    https = _settings_with(tmp_path, CENTREX_BASE_URL="https://portal.example")
    http = _settings_with(tmp_path, CENTREX_BASE_URL="http://127.0.0.1:8000")
    forced = _settings_with(
        tmp_path, CENTREX_BASE_URL="http://127.0.0.1:8000", CENTREX_SECURE_COOKIES="1"
    )

    # then
    assert https["SESSION_COOKIE_SECURE"] is https["CSRF_COOKIE_SECURE"] is True
    assert https["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert http["SESSION_COOKIE_SECURE"] is http["CSRF_COOKIE_SECURE"] is False
    assert http["SECURE_PROXY_SSL_HEADER"] is None
    assert forced["SESSION_COOKIE_SECURE"] is forced["CSRF_COOKIE_SECURE"] is True
    assert https["SESSION_COOKIE_HTTPONLY"] is https["CSRF_COOKIE_HTTPONLY"] is True


def test_a_request_through_the_tls_proxy_gets_secure_cookies(settings: Settings, db: None) -> None:
    # given: the settings of an https:// CENTREX_BASE_URL
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    client = Client(headers={"X-Forwarded-Proto": "https"})

    # when
    response = client.get(reverse("accounts:login"))

    # then
    cookie = response.cookies["csrftoken"]
    assert cookie["secure"] is True and cookie["httponly"] is True


# --- Templates: nothing inline for the policy to block --------------------------------------

PAGE_TEMPLATES = sorted(
    path
    for path in SRC.rglob("templates/**/*.html")
    # E-mails are read by mail programs, which need their styles inline.
    if "emails" not in path.parts
)
INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\ssrc=)(?![^>]*type=\"application/json\")"),
    "event handler attribute": re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE),
    "style attribute": re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE),
    "style element": re.compile(r"<style[\s>]", re.IGNORECASE),
    "javascript: address": re.compile(r"javascript:", re.IGNORECASE),
}


@pytest.mark.parametrize(
    "template", PAGE_TEMPLATES, ids=[str(p.relative_to(SRC)) for p in PAGE_TEMPLATES]
)
def test_a_page_template_has_nothing_inline(template: Path) -> None:
    text = template.read_text(encoding="utf-8")
    found = [what for what, pattern in INLINE.items() if pattern.search(text)]
    assert found == []
