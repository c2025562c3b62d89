"""The operators' word lists of the alias rules — reserved names and generic words (R-A4b) —
and the character-set setting (R-A1)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from centrex.accounts.models import User
from centrex.aliases.actions.word_lists import (
    add_generic_word,
    add_reserved_name,
    remove_generic_word,
    remove_reserved_name,
    set_extended_charset,
)
from centrex.aliases.forms import show_domain_error
from centrex.aliases.models import AliasSettings, GenericWord, ReservedName
from centrex.aliases.rules import EXTENDED_SYMBOLS
from centrex.backoffice.forms.aliases import AliasSettingsForm, GenericWordForm, ReservedNameForm
from centrex.backoffice.views.pages import operator_page
from centrex.core.errors import DomainError, NotFound


def _lists_page(request: HttpRequest, status: int = 200, **bound: Any) -> HttpResponse:
    context = {
        "reserved_names": ReservedName.objects.order_by("name"),
        "generic_words": GenericWord.objects.order_by("word"),
        "reserved_form": bound.get("reserved_form") or ReservedNameForm(prefix="reserved"),
        "generic_form": bound.get("generic_form") or GenericWordForm(prefix="generic"),
        "settings_form": bound.get("settings_form")
        or AliasSettingsForm(
            prefix="settings",
            initial={"extended_charset": AliasSettings.current().extended_charset},
        ),
        "extended_symbols": " ".join(EXTENDED_SYMBOLS),
    }
    return render(request, "backoffice/aliases/lists.html", context, status=status)


@require_GET
@operator_page
def alias_lists(request: HttpRequest, operator: User) -> HttpResponse:
    """The reserved names and generic words (R-A4b) and the character-set setting (R-A1)."""
    return _lists_page(request)


@require_POST
@operator_page
def reserved_name_add(request: HttpRequest, operator: User) -> HttpResponse:
    form = ReservedNameForm(request.POST, prefix="reserved")
    if form.is_valid():
        try:
            entry = add_reserved_name(form.cleaned_data["name"], acting_user=operator)
        except DomainError as error:
            show_domain_error(error, form, fields={"name": "name"})
        else:
            messages.success(
                request, _("“%(name)s” added to the reserved names.") % {"name": entry}
            )
            return redirect("backoffice:alias_lists")
    return _lists_page(request, reserved_form=form)


@require_POST
@operator_page
def reserved_name_remove(request: HttpRequest, operator: User, pk: int) -> HttpResponse:
    entry = ReservedName.objects.filter(pk=pk).first()
    if entry is None:
        raise NotFound()
    remove_reserved_name(entry, acting_user=operator)
    messages.success(
        request, _("“%(name)s” removed from the reserved names.") % {"name": entry.name}
    )
    return redirect("backoffice:alias_lists")


@require_POST
@operator_page
def generic_word_add(request: HttpRequest, operator: User) -> HttpResponse:
    form = GenericWordForm(request.POST, prefix="generic")
    if form.is_valid():
        try:
            entry = add_generic_word(form.cleaned_data["word"], acting_user=operator)
        except DomainError as error:
            show_domain_error(error, form, fields={"name": "word"})
        else:
            messages.success(request, _("“%(word)s” added to the generic words.") % {"word": entry})
            return redirect("backoffice:alias_lists")
    return _lists_page(request, generic_form=form)


@require_POST
@operator_page
def generic_word_remove(request: HttpRequest, operator: User, pk: int) -> HttpResponse:
    entry = GenericWord.objects.filter(pk=pk).first()
    if entry is None:
        raise NotFound()
    remove_generic_word(entry, acting_user=operator)
    messages.success(
        request, _("“%(word)s” removed from the generic words.") % {"word": entry.word}
    )
    return redirect("backoffice:alias_lists")


@require_POST
@operator_page
def alias_settings(request: HttpRequest, operator: User) -> HttpResponse:
    form = AliasSettingsForm(request.POST, prefix="settings")
    if form.is_valid():
        set_extended_charset(form.cleaned_data["extended_charset"], acting_user=operator)
        if form.cleaned_data["extended_charset"]:
            messages.success(request, _("Aliases may now use the extended character set."))
        else:
            messages.success(request, _("Aliases may now use only the basic character set."))
        return redirect("backoffice:alias_lists")
    return _lists_page(request, settings_form=form)
