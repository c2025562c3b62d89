"""Pages of the accounts app: the site's home (each person to their area), login and
passwords, the customer's home page, Impostazioni > Utenti (R-U2–U7) and Opzioni Account
(R-U9). Thin views: guarded by `page_for`, they parse a form, fetch through the access
helpers, call one action and render (STYLE 3)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from centrex.accounts.access import (
    access_own_api_token,
    access_user,
    is_operator,
    is_signed_in,
    require_customer_admin,
    require_signed_in,
    user_from_link,
)
from centrex.accounts.actions import (
    UserData,
    UsersNotImported,
    authenticate_login,
    change_own_password,
    create_user,
    deactivate_user,
    import_users,
    mfa_enabled,
    request_password_reset,
    resend_invitation,
    revoke_own_api_token,
    set_password_with_token,
    update_own_account,
    update_user,
)
from centrex.accounts.forms import (
    ChangePasswordForm,
    LoginForm,
    NewPasswordForm,
    OwnAccountForm,
    PasswordResetRequestForm,
    UserForm,
    UserImportForm,
    add_domain_error,
)
from centrex.accounts.models import ApiToken, Role, User
from centrex.accounts.presence import with_communicator_online
from centrex.accounts.two_step_pages import begin_second_step, sign_in
from centrex.accounts.user_import import EXAMPLE_CSV, UserFileRefused, read_users_csv
from centrex.core.addresses import client_address
from centrex.core.audit import activity_csv_rows
from centrex.core.csv_export import csv_download
from centrex.core.errors import DomainError, ErrorCode
from centrex.core.forms import ActivityFilterForm
from centrex.core.models import AuditEvent
from centrex.core.pages import filters_without_page, one_page, page_for
from centrex.customers.models import Extension

USERS_PER_PAGE = 50
# The datalist of Nuovo Utente / Modifica Utente suggests at most this many free extensions.
EXTENSION_SUGGESTIONS = 500
SEARCH_MAX_TERMS = 5


def _next_url(request: HttpRequest) -> str:
    """Where to go after logging in: a `next` on this site, else home."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


def _remember_language(response: HttpResponse, language: str) -> None:
    """Keep the user's language for the pages seen after logging out (the login page)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    """E-mail and password under the login throttle: too many failures answer 429 with
    Retry-After and say how long to wait (API.md "Authentication")."""
    if request.user.is_authenticated:
        return redirect(_next_url(request))
    form = LoginForm(request.POST or None)
    retry_after: int | None = None
    if request.method == "POST" and form.is_valid():
        try:
            user = authenticate_login(
                form.cleaned_data["email"],
                form.cleaned_data["password"],
                ip_address=client_address(request),
                user_agent=request.headers.get("User-Agent", ""),
                channel="page",
            )
        except DomainError as error:
            if error.code == ErrorCode.MFA_REQUIRED:  # R-Z2: the password was right
                pending = User.objects.get(email=form.cleaned_data["email"].strip().lower())
                return begin_second_step(request, pending, _next_url(request))
            form.add_error(None, str(error.message))
            retry_after = error.retry_after
        else:
            entered = sign_in(request, user, _next_url(request))
            _remember_language(entered, user.language)
            return entered
    response = render(
        request,
        "accounts/login.html",
        {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")},
        status=429 if retry_after else 200,
    )
    if retry_after:
        response["Retry-After"] = str(max(1, int(retry_after)))
    return response


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("You have logged out."))
    return redirect("accounts:login")


@never_cache
@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    """The "Password dimenticata?" page: the same answer whether or not the account exists;
    too many requests for one e-mail or from one address answer 429 with Retry-After."""
    form = PasswordResetRequestForm(request.POST or None)
    retry_after: int | None = None
    if request.method == "POST" and form.is_valid():
        try:
            request_password_reset(form.cleaned_data["email"], ip_address=client_address(request))
        except DomainError as error:
            form.add_error(None, str(error.message))
            retry_after = error.retry_after
        else:
            return redirect("accounts:password_reset_sent")
    response = render(
        request,
        "accounts/password_reset.html",
        {"form": form},
        status=429 if retry_after else 200,
    )
    if retry_after:
        response["Retry-After"] = str(max(1, int(retry_after)))
    return response


def password_reset_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_reset_sent.html")


@sensitive_post_parameters("new_password", "confirm_password")
@never_cache
@require_http_methods(["GET", "POST"])
def set_password(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The page of the invitation and reset e-mails (`actions.invitation_link`): choose a
    password, then enter the customer area at once."""
    purpose = "reset" if request.GET.get("purpose") == "reset" else "invite"
    user = user_from_link(uidb64, token)
    if user is None:
        response = render(request, "accounts/set_password_invalid.html", {"purpose": purpose})
    else:
        # The person is known by the link: speak their language (R-U3: the admin chose it).
        with translation.override(user.language):
            form = NewPasswordForm(request.POST or None)
            if request.method == "POST" and form.is_valid():
                password = form.cleaned_data["new_password"]
                try:
                    set_password_with_token(user, password)
                except DomainError as error:
                    add_domain_error(form, error, fields={"password": "new_password"})
                else:
                    return _enter_after_password_set(request, user, password)
            response = render(
                request,
                "accounts/set_password.html",
                {"form": form, "account": user, "purpose": purpose},
            )
        response["Content-Language"] = user.language
    # The token is in this page's address: never hand it to another site. Not "no-referrer":
    # with it browsers send `Origin: null` on the form's POST and Django's CSRF check refuses
    # it (found by the e2e test in Chromium).
    response["Referrer-Policy"] = "same-origin"
    return response


def _enter_after_password_set(request: HttpRequest, user: User, password: str) -> HttpResponse:
    """Log in with the new password through the same checks as the login page (a disabled
    company, the throttle); if they refuse, the login page says why."""
    try:
        user = authenticate_login(
            user.email,
            password,
            ip_address=client_address(request),
            user_agent=request.headers.get("User-Agent", ""),
            channel="page",
        )
    except DomainError as error:
        with translation.override(user.language):
            messages.success(request, _("Your password is saved."))
            messages.error(request, str(error.message))
        return redirect("accounts:login")
    login(request, user)
    with translation.override(user.language):
        messages.success(request, _("Your password is saved. Welcome to the customer area."))
    response = redirect("home")
    _remember_language(response, user.language)
    return response


def home(request: HttpRequest) -> HttpResponse:
    """The site's root, for everyone: operators land in the back office, customers' users in
    the customer area, anyone else on the login page."""
    if is_operator(request.user):
        return redirect("backoffice:dashboard")
    if is_signed_in(request.user):
        # The Area Clienti's home stands above accounts (centrex.dashboards): named, not imported.
        return redirect("dashboards:customer_home")
    return redirect("accounts:login")


def _search(users: QuerySet[User], text: str) -> QuerySet[User]:
    """Every word must match the first name, last name, e-mail or extension number."""
    for term in text.split()[:SEARCH_MAX_TERMS]:
        users = users.filter(
            Q(first_name__icontains=term)
            | Q(last_name__icontains=term)
            | Q(email__icontains=term)
            | Q(extension__number=term)
        )
    return users


def _wants_fragment(request: HttpRequest) -> bool:
    """An htmx request for just the table (not a history restore, which needs the page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


@page_for(require_customer_admin)
def user_list(request: HttpRequest, admin: User) -> HttpResponse:
    """Impostazioni > Utenti (R-U2): the customer's users with role, extension and
    Communicator state, and who is online now (R-V6, annotated in the list's query);
    searchable and paginated. Queries do not grow with the page size."""
    text = " ".join(request.GET.get("q", "").split())[:100]
    users: QuerySet[User] = with_communicator_online(
        User.objects.visible_to(admin).customer_users().select_related("extension")
    )
    if text:
        users = _search(users, text)
    page = Paginator(users.order_by("last_name", "first_name", "email"), USERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "q": text, "acting_user": admin}
    fragment = _wants_fragment(request)
    template = "accounts/_user_table.html" if fragment else "accounts/user_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _extension_suggestions(admin: User, current: Extension | None) -> tuple[list[str], int]:
    """The customer's free extensions in number order (at most EXTENSION_SUGGESTIONS), plus
    the user's own: only these may be associated (R-U5). Also how many of them are free."""
    free = Extension.objects.free().in_number_order().visible_to(admin)
    numbers = list(free.values_list("number", flat=True)[:EXTENSION_SUGGESTIONS])
    free_count = len(numbers)
    if current is not None and current.number not in numbers:
        numbers.append(current.number)
        numbers.sort(key=lambda number: (len(number), number))
    return numbers, free_count


def _saved_message(user: User) -> str:
    """What "Salva" did to Communicator (R-U6), in the admin's words."""
    if user.communicator_enabled and user.extension is not None:
        return _("User saved: Communicator enabled on extension %(number)s.") % {
            "number": user.extension.number
        }
    if not user.is_active:
        return _("User saved: Communicator not enabled because the user is deactivated.")
    return _("User saved: Communicator not enabled because no extension is associated.")


def _user_data(form: UserForm) -> dict[str, Any]:
    data = {name: form.cleaned_data[name] for name in UserForm.ACCOUNT_FIELDS}
    data["extension"] = form.cleaned_data["extension"] or None
    return data


def _user_form_page(
    request: HttpRequest, admin: User, form: UserForm, edited: User | None
) -> HttpResponse:
    suggestions, free_count = _extension_suggestions(admin, edited.extension if edited else None)
    context = {
        "form": form,
        "edited": edited,
        "edited_two_step": edited is not None and edited.pk != admin.pk and mfa_enabled(edited),
        "suggestions": suggestions,
        "free_count": free_count,
    }
    return render(request, "accounts/user_form.html", context)


@page_for(require_customer_admin)
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest, admin: User) -> HttpResponse:
    """Nuovo Utente (R-U3): "Salva" creates the user and e-mails the invitation."""
    form = UserForm(request.POST or None, initial={"language": admin.language, "role": Role.USER})
    if request.method == "POST" and form.is_valid():
        assert admin.customer is not None
        try:
            user = create_user(admin.customer, UserData(**_user_data(form)), acting_user=admin)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            invited = _("An invitation to choose a password was sent to %(email)s.") % {
                "email": user.email
            }
            messages.success(request, f"{_saved_message(user)} {invited}")
            return redirect("accounts:user_list")
    return _user_form_page(request, admin, form, None)


@page_for(require_customer_admin)
@require_http_methods(["GET", "POST"])
def user_import(request: HttpRequest, admin: User) -> HttpResponse:
    """Impostazioni > Utenti > «Importa da CSV» (issue 14): every line checked as a Nuovo Utente
    first; one bad line imports nothing and the page lists every bad line."""
    posted = request.method == "POST"
    form = UserImportForm(request.POST if posted else None, request.FILES if posted else None)
    refusal, problems = "", None
    if posted and form.is_valid():
        assert admin.customer is not None  # require_customer_admin
        try:
            lines = read_users_csv(form.cleaned_data["file"].read(), language=admin.language)
            created = import_users(admin.customer, lines, acting_user=admin)
        except UserFileRefused as refused:
            form.add_error("file", refused.message)
        except UsersNotImported as error:
            refusal, problems = str(error.message), error.problems
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d user imported: each received an invitation to choose a password.",
                    "%(count)d users imported: each received an invitation to choose a password.",
                    len(created),
                )
                % {"count": len(created)},
            )
            return redirect("accounts:user_list")
    context = {"form": form, "problems": problems, "refusal": refusal}
    return render(request, "accounts/user_import.html", context)


@require_GET
@page_for(require_customer_admin)
def user_import_example(request: HttpRequest, admin: User) -> HttpResponse:
    """The example file of «Importa da CSV», to fill in with a spreadsheet."""
    response = HttpResponse(EXAMPLE_CSV, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="utenti-esempio.csv"'
    return response


@page_for(require_customer_admin)
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, admin: User, pk: int) -> HttpResponse:
    """Modifica Utente (R-U4): changing the extension and pressing "Salva" associates it,
    emptying it dissociates it; the last admin keeps the role (R-U7)."""
    user = access_user(admin, pk)
    initial = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "role": user.role,
        "language": user.language,
        "extension": user.extension.number if user.extension else "",
    }
    form = UserForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            user = update_user(user, acting_user=admin, **_user_data(form))
        except DomainError as error:
            add_domain_error(form, error, fields={"is_active": "role"})
        else:
            messages.success(request, _saved_message(user))
            return redirect("accounts:user_list")
    return _user_form_page(request, admin, form, user)


@require_POST
@page_for(require_customer_admin)
def user_deactivate(request: HttpRequest, admin: User, pk: int) -> HttpResponse:
    """The account stays but cannot log in, and its extension is freed (R-U6, R-U7)."""
    user = access_user(admin, pk)
    try:
        deactivate_user(user, acting_user=admin)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("%(name)s is deactivated: they can no longer log in and their extension is free.")
            % {"name": user},
        )
    return redirect("accounts:user_edit", pk=user.pk)


@require_POST
@page_for(require_customer_admin)
def user_reactivate(request: HttpRequest, admin: User, pk: int) -> HttpResponse:
    user = access_user(admin, pk)
    try:
        update_user(user, acting_user=admin, is_active=True)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("%(name)s is active again. Associate an extension to enable Communicator.")
            % {"name": user},
        )
    return redirect("accounts:user_edit", pk=user.pk)


@require_POST
@page_for(require_customer_admin)
def user_resend_invitation(request: HttpRequest, admin: User, pk: int) -> HttpResponse:
    """The "Invia di nuovo l'invito" button: a new link for a user who never chose a password."""
    user = access_user(admin, pk)
    try:
        resend_invitation(user, acting_user=admin)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request, _("A new invitation was sent to %(email)s.") % {"email": user.email}
        )
    return redirect("accounts:user_edit", pk=user.pk)


@sensitive_post_parameters("current_password", "new_password", "confirm_password")
@page_for(require_signed_in)
@require_http_methods(["GET", "POST"])
def options(request: HttpRequest, user: User) -> HttpResponse:
    """Opzioni Account (R-U9) for everyone, operators included: name, language (applied at
    once) and password."""
    account_form = OwnAccountForm(
        initial={
            "first_name": user.first_name,
            "last_name": user.last_name,
            "language": user.language,
        }
    )
    password_form = ChangePasswordForm()
    if request.method == "POST" and request.POST.get("form") == "password":
        password_form = ChangePasswordForm(request.POST)
        if password_form.is_valid():
            try:
                change_own_password(
                    user,
                    current=password_form.cleaned_data["current_password"],
                    new=password_form.cleaned_data["new_password"],
                )
            except DomainError as error:
                add_domain_error(password_form, error, fields={"password": "new_password"})
            else:
                # Stay logged in here; other sessions of this user end.
                update_session_auth_hash(request, user)
                messages.success(request, _("Your password is changed."))
                return redirect("accounts:options")
    elif request.method == "POST":
        account_form = OwnAccountForm(request.POST)
        if account_form.is_valid():
            try:
                update_own_account(user, **account_form.cleaned_data)
            except DomainError as error:
                add_domain_error(account_form, error)
            else:
                with translation.override(user.language):
                    messages.success(request, _("Your account options are saved."))
                response = redirect("accounts:options")
                _remember_language(response, user.language)
                return response
    context = {
        "account_form": account_form,
        "password_form": password_form,
        "api_tokens": ApiToken.objects.live_of(user),
    }
    return render(request, "accounts/options.html", context)


@require_POST
@page_for(require_signed_in)
def api_token_revoke(request: HttpRequest, user: User, pk: int) -> HttpResponse:
    """Opzioni Account > «Revoca»: end one of one's own API tokens (another's is 404)."""
    token = access_own_api_token(user, pk)
    revoke_own_api_token(token, acting_user=user, ip_address=client_address(request))
    messages.success(
        request, _("The API token is revoked: the program that used it must sign in again.")
    )
    return redirect(f"{reverse('accounts:options')}#api-tokens")


@require_POST
def choose_language(request: HttpRequest) -> HttpResponse:
    """The footer's language switch: saved on the account of a logged-in user (so every page
    and e-mail follows it), and in a cookie for everyone."""
    language = request.POST.get("language", "")
    if language not in {code for code, _name in settings.LANGUAGES}:
        language = settings.LANGUAGE_CODE
    if is_signed_in(request.user):
        update_own_account(request.user, language=language)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("home")
    response = redirect(target)
    _remember_language(response, language)
    return response


# --- Impostazioni > Registro attività (R-Z4) ---------------------------------------------

ACTIVITY_PER_PAGE = 50


def _customer_activity(admin: User, form: ActivityFilterForm) -> QuerySet[AuditEvent]:
    """The customer's part of the activity trail: what happened to its users, devices,
    aliases, sender policy and sign-ins (the operators' trail has everything)."""
    return AuditEvent.objects.filter(customer_id=admin.customer_id, **form.lookups())


@require_GET
@page_for(require_customer_admin)
def activity(request: HttpRequest, admin: User) -> HttpResponse:
    """Sign-ins and failed attempts (with address and browser), two-step verification and
    Communicator device changes, users, aliases: newest first, filterable, exportable."""
    form = ActivityFilterForm(request.GET or None, customers=None)
    page = one_page(request, _customer_activity(admin, form), ACTIVITY_PER_PAGE)
    for event in page.object_list:
        # A failed sign-in has no actor: the e-mail typed says who tried.
        event.who = event.actor_email or str(event.data.get("email", ""))
        event.user_agent = str(event.data.get("user_agent", ""))
    context = {"form": form, "page": page, "filters": filters_without_page(request)}
    return render(request, "accounts/activity.html", context)


@require_GET
@page_for(require_customer_admin)
def activity_export(request: HttpRequest, admin: User) -> HttpResponseBase:
    """The page's events as CSV, with its filters."""
    form = ActivityFilterForm(request.GET or None, customers=None)
    if form.is_bound and not form.is_valid():
        return redirect(f"{reverse('accounts:activity')}?{request.GET.urlencode()}")
    assert admin.customer is not None  # require_customer_admin
    names = {admin.customer.pk: admin.customer.name}
    return csv_download(
        activity_csv_rows(_customer_activity(admin, form), names), "registro-attivita"
    )
