"""The application shell (issue 14): the sidebar grouped as the manual, for each role, with the
current page marked once; the developer group only while the inbox is on; the provider's logo by
a setting; every form widget with the design system's class (core/form_rendering.py)."""

from __future__ import annotations

import pytest
from django import forms
from django.test import Client, override_settings
from django.urls import reverse

from centrex.accounts.models import User
from centrex.navigation import logo_url
from tests.sidebar import current_page, read_sidebar, sidebar_links


def _page(user: User, url: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@override_settings(CENTREX_DEV_INBOX=False)
def test_an_admin_sees_the_manuals_groups_in_its_order(alice: User) -> None:
    # when
    sidebar = read_sidebar(_page(alice, reverse("accounts:user_list")))

    # then: Communicator (Invia SMS, SMS inviati, Alias, Mittenti SMS), Impostazioni (Utenti,
    # …, Aiuto), Opzioni Account — as the manual groups them
    labels = [label for _href, label, _current in sidebar.links]
    assert sidebar.headings == ["Communicator", "Impostazioni"]
    for before, after in [
        ("Invia SMS", "SMS inviati"),
        ("SMS inviati", "Alias"),
        ("Alias", "Mittenti SMS"),
        ("Mittenti SMS", "Utenti"),
        ("Utenti", "Aiuto"),
        ("Aiuto", "Opzioni Account"),
    ]:
        assert labels.index(before) < labels.index(after)


@override_settings(CENTREX_DEV_INBOX=False)
def test_a_plain_user_sees_only_what_they_may_open(bob: User) -> None:
    # when
    links = sidebar_links(_page(bob, reverse("accounts:options")))

    # then
    assert {"Invia SMS", "SMS inviati", "Aiuto", "Opzioni Account"} <= set(links)
    assert not {"Alias", "Mittenti SMS", "Utenti", "Sicurezza", "Registro attività"} & set(links)


@override_settings(CENTREX_DEV_INBOX=False)
def test_the_operator_has_the_back_office_groups(operator: User) -> None:
    # when
    html = _page(operator, reverse("backoffice:customer_list"))

    # then
    links = sidebar_links(html)
    assert {"Clienti", "Alias", "Tracciabilità SMS", "Registro attività"} <= set(links)
    assert "Invia SMS" not in links
    assert current_page(html) == [("Clienti", reverse("backoffice:customer_list"))]


@pytest.mark.parametrize(
    ("url_name", "kwargs", "current"),
    [
        ("sms:compose", {}, "Invia SMS"),
        ("aliases:alias_create", {}, "Alias"),
        ("accounts:user_create", {}, "Utenti"),
        ("verification:own_mobile", {}, "Opzioni Account"),
        ("support:ask", {}, "Aiuto"),
    ],
)
def test_the_current_page_is_marked_once(
    alice: User, url_name: str, kwargs: dict[str, int], current: str
) -> None:
    # when
    html = _page(alice, reverse(url_name, kwargs=kwargs))

    # then
    assert [label for label, _href in current_page(html)] == [current]


def test_the_developer_menu_is_there_only_while_the_inbox_is_on(
    alice: User, client: Client
) -> None:
    # when
    with override_settings(CENTREX_DEV_INBOX=True):
        on = _page(alice, reverse("accounts:options"))
        signed_out = client.get(reverse("accounts:login")).content.decode()
    with override_settings(CENTREX_DEV_INBOX=False):
        off = _page(alice, reverse("accounts:options"))

    # then: in the top bar's developer menu, signed in or out, and never in the footer
    for html in (on, signed_out):
        assert 'id="developer-menu"' in html
        assert 'href="/api/v1/docs"' in html
        assert 'href="/dev/inbox/"' in html
        assert 'href="/dev/inbox/"' not in html[html.index('<footer class="app-footer">') :]
    assert 'id="developer-menu"' not in off
    assert "/api/v1/docs" not in off
    assert "/dev/inbox/" not in off


def test_the_phone_menu_button_opens_the_sidebar(alice: User) -> None:
    # when
    html = _page(alice, reverse("accounts:options"))

    # then: below 768 px the sidebar is an offcanvas the button opens (Bootstrap's)
    assert 'data-bs-target="#sidebar" aria-controls="sidebar" aria-label="Apri il menu"' in html
    assert 'id="sidebar" class="app-sidebar offcanvas-md offcanvas-start"' in html


def test_signed_out_pages_have_no_sidebar(client: Client) -> None:
    # when
    html = client.get(reverse("accounts:login")).content.decode()

    # then
    assert read_sidebar(html).links == []
    assert 'id="user-menu"' in html  # the language is still there


def test_the_provider_replaces_the_logo_by_a_setting(alice: User) -> None:
    # when
    with override_settings(CENTREX_LOGO_URL="provider/logo.png"):
        html = _page(alice, reverse("accounts:options"))

    # then
    assert '<img class="brand-logo" src="/static/provider/logo.png"' in html
    assert logo_url("") == "/static/centrex/logo.svg"
    assert (
        logo_url("https://cdn.provider.example/logo.svg") == "https://cdn.provider.example/logo.svg"
    )
    assert 'rel="icon" href="/static/centrex/favicon.svg"' in html


class _Everything(forms.Form):
    name = forms.CharField()
    kind = forms.ChoiceField(choices=[("a", "A")])
    agreed = forms.BooleanField()
    many = forms.MultipleChoiceField(choices=[("a", "A")], widget=forms.CheckboxSelectMultiple)
    secret = forms.CharField(widget=forms.HiddenInput)
    styled = forms.CharField(widget=forms.TextInput(attrs={"class": "font-monospace"}))


def test_every_widget_gets_the_design_systems_class() -> None:
    # when
    form = _Everything(data={})
    html = {name: str(form[name]) for name in form.fields}

    # then
    assert 'class="form-control is-invalid"' in html["name"]
    assert 'class="form-select is-invalid"' in html["kind"]
    assert 'class="form-check-input is-invalid"' in html["agreed"]
    assert 'class="form-check-input is-invalid"' in html["many"]
    assert '<div id="id_many">' in html["many"]
    assert "class=" not in html["secret"]
    assert 'class="font-monospace form-control is-invalid"' in html["styled"]
