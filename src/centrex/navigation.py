"""The application shell's sidebar (issue 14): one table of the pages, grouped as the manual
groups them, for the Area Clienti and for the back office.

It sits at the top of the layers, beside urls.py, because it names every app's pages. A page
is shown to whom its `audience` admits; it is the current one when the resolved view's name
matches one of its `matches` patterns (fnmatch, "namespace:url_name"). A page whose URL does
not exist (the developer inbox when it is off) is left out, so the sidebar never links to a 404.
The pages still check access themselves (accounts/access.py): the sidebar only shows the way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from centrex.accounts.access import is_customer_admin, is_operator, is_signed_in

Audience = Callable[[Any], bool]


def _customer_user(user: Any) -> bool:
    return is_signed_in(user) and not is_operator(user)


def _developer(user: Any) -> bool:
    return bool(settings.CENTREX_DEV_INBOX)


@dataclass(frozen=True)
class Page:
    """One link of the sidebar: the URL's name, its label and Bootstrap icon, who sees it, and
    which views make it the current one (by default its own URL name)."""

    url_name: str
    label: str | Promise
    icon: str
    audience: Audience = is_signed_in
    matches: tuple[str, ...] = ()
    path: str = ""  # a fixed path instead of a URL name (the API docs)

    def href(self) -> str | None:
        if self.path:
            return self.path
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return None

    def is_current(self, view_name: str) -> bool:
        return any(fnmatchcase(view_name, pattern) for pattern in self.matches or (self.url_name,))


@dataclass(frozen=True)
class Group:
    """A heading of the sidebar and its pages; a group without label is a page on its own."""

    label: str | Promise | None
    icon: str
    pages: tuple[Page, ...] = field(default_factory=tuple)
    url_name: str = ""  # the heading links to the group's own page (the manual's «Communicator»)
    matches: tuple[str, ...] = ()  # which views make that page the current one (default: its own)


CUSTOMER_AREA = (
    Group(
        None,
        "",
        (
            Page(
                "accounts:dashboard",
                _("Home"),
                "house",
                _customer_user,
                ("accounts:dashboard", "dashboards:*"),
            ),
        ),
    ),
    Group(
        "Communicator",
        "chat-dots",
        (
            Page("sms:compose", _("Send SMS"), "send", _customer_user, ("sms:compose",)),
            Page(
                "sms:history",
                _("Sent SMS"),
                "clock-history",
                _customer_user,
                ("sms:history", "sms:message"),
            ),
            Page(
                "aliases:alias_list",
                _("Aliases"),
                "tag",
                is_customer_admin,
                ("aliases:alias_*", "aliases:rules"),
            ),
            Page(
                "senders:policy",
                _("SMS senders"),
                "person-badge",
                is_customer_admin,
                ("senders:*",),
            ),
            Page("sms:usage", _("SMS usage"), "bar-chart", is_customer_admin, ("sms:usage*",)),
        ),
        url_name="aliases:communicator",
    ),
    Group(
        _("Settings"),
        "gear",
        (
            Page(
                "accounts:user_list",
                _("Users"),
                "people",
                is_customer_admin,
                ("accounts:user_*", "communicator:user_device_*"),
            ),
            Page(
                "customers:extension_list",
                _("Extensions"),
                "telephone",
                is_customer_admin,
                ("customers:extension_*",),
            ),
            Page(
                "customers:company",
                _("Company data"),
                "building",
                is_customer_admin,
                ("customers:company*",),
            ),
            Page("accounts:security", _("Security"), "shield-lock", is_customer_admin),
            Page(
                "accounts:activity",
                _("Activity log"),
                "journal-text",
                is_customer_admin,
                ("accounts:activity*",),
            ),
            Page("support:help", _("Help"), "question-circle", _customer_user, ("support:*",)),
        ),
    ),
    Group(
        None,
        "",
        (
            Page(
                "accounts:options",
                _("Account Options"),
                "person-gear",
                is_signed_in,
                ("accounts:options", "accounts:two_step", "verification:*", "communicator:own_*"),
            ),
        ),
    ),
)

BACK_OFFICE = (
    Group(
        None,
        "",
        (
            Page(
                "backoffice:dashboard",
                _("Dashboard"),
                "speedometer2",
                is_operator,
            ),
        ),
    ),
    Group(
        _("Customers"),
        "buildings",
        (
            Page(
                "backoffice:customer_list",
                _("Customers"),
                "buildings",
                is_operator,
                (
                    "backoffice:customer_*",
                    "backoffice:extension_*",
                    "backoffice:user_*",
                    "communicator:customer_sip_domain",
                ),
            ),
            Page(
                "backoffice:question_list",
                pgettext_lazy("operator menu", "Support questions"),
                "life-preserver",
                is_operator,
                ("backoffice:question_*",),
            ),
        ),
    ),
    Group(
        _("Aliases"),
        "tag",
        (
            Page(
                "backoffice:alias_lists",
                _("Reserved and generic words"),
                "card-list",
                is_operator,
                (
                    "backoffice:alias_lists",
                    "backoffice:alias_reserved_*",
                    "backoffice:alias_generic_*",
                ),
            ),
            Page(
                "backoffice:alias_audit",
                _("Alias log"),
                "journal-check",
                is_operator,
                ("backoffice:alias_audit*",),
            ),
        ),
        url_name="backoffice:alias_queue",
        matches=(
            "backoffice:alias_queue",
            "backoffice:alias_review",
            "backoffice:alias_approve",
            "backoffice:alias_reject",
            "backoffice:alias_revoke",
            "backoffice:alias_retry",
        ),
    ),
    Group(
        "SMS",
        "chat-dots",
        (
            Page(
                "backoffice:sms_traceability",
                _("SMS traceability"),
                "search",
                is_operator,
                ("backoffice:sms_traceability*",),
            ),
            Page(
                "backoffice:sms_usage",
                _("Usage by customer"),
                "bar-chart",
                is_operator,
                ("backoffice:sms_usage*",),
            ),
        ),
    ),
    Group(
        None,
        "",
        (
            Page(
                "backoffice:audit_list",
                _("Activity log"),
                "journal-text",
                is_operator,
                ("backoffice:audit*",),
            ),
            Page(
                "accounts:options",
                _("Account Options"),
                "person-gear",
                is_signed_in,
                ("accounts:options", "accounts:two_step", "verification:*", "communicator:own_*"),
            ),
        ),
    ),
)

# The top bar's developer menu, for everyone (signed out too: the invitation's e-mail is read
# there), only while the developer inbox is on (`CENTREX_DEV_INBOX`, never in production): what
# the system sent, and the API's interactive documentation. Never in the customers' footer.
DEVELOPER = Group(
    _("Developer"),
    "code-slash",
    (
        Page("devinbox:index", _("Developer inbox"), "envelope-paper", _developer, ("devinbox:*",)),
        Page("api:openapi-view", "API", "braces", _developer, path="/api/v1/docs"),
    ),
)


@dataclass(frozen=True)
class Link:
    """A sidebar link as the template draws it."""

    label: str | Promise
    icon: str
    href: str
    current: bool


@dataclass(frozen=True)
class Section:
    label: str | Promise | None
    icon: str
    links: tuple[Link, ...]
    href: str = ""
    current: bool = False


def sidebar_for(user: Any, view_name: str) -> list[Section]:
    """The sidebar's sections for this person on this page: only the pages they may open, the
    current one marked (the first that matches)."""
    groups = BACK_OFFICE if is_operator(user) else CUSTOMER_AREA
    sections: list[Section] = []
    marked = False
    for group in groups:
        links = []
        for page in group.pages:
            href = page.href() if page.audience(user) else None
            if href is None:
                continue
            current = not marked and page.is_current(view_name)
            marked = marked or current
            links.append(Link(page.label, page.icon, href, current))
        if links:
            href = reverse(group.url_name) if group.url_name else ""
            patterns = group.matches or (group.url_name,)
            current = (
                bool(group.url_name)
                and not marked
                and any(fnmatchcase(view_name, pattern) for pattern in patterns)
            )
            marked = marked or current
            sections.append(Section(group.label, group.icon, tuple(links), href, current))
    return sections


def developer_menu(user: Any, view_name: str) -> Section | None:
    """The developer menu's links, or None while the developer inbox is off."""
    links = [
        Link(page.label, page.icon, href, page.is_current(view_name))
        for page in DEVELOPER.pages
        if page.audience(user) and (href := page.href()) is not None
    ]
    return Section(DEVELOPER.label, DEVELOPER.icon, tuple(links)) if links else None


def logo_url(setting: str) -> str:
    """The logo's address: the portal's own, or the provider's (`CENTREX_LOGO_URL`: a path under
    the static files, a path of this site, or an absolute URL, whose origin settings.py adds to
    the Content-Security-Policy's images)."""
    if not setting:
        return static("centrex/logo.svg")
    if setting.startswith(("http://", "https://", "/")):
        return setting
    return static(setting)


def shell(request: HttpRequest) -> dict[str, Any]:
    """Context processor: the sidebar (for people signed in), the logo and the product's name."""
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match is not None else ""
    return {
        "sidebar": sidebar_for(user, view_name) if is_signed_in(user) else [],
        "developer_menu": developer_menu(user, view_name),
        "brand_logo_url": logo_url(settings.CENTREX_LOGO_URL),
        "brand_name": settings.CENTREX_BRAND_NAME,
    }
