"""The operators' word lists of the alias rules — reserved names and generic words (R-A4b) —
and the character-set setting (R-A1). The two lists share their pages: `entry_add` and
`entry_remove` take the `WordList` their URL pattern names."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from centrex.accounts.access import require_operator
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
from centrex.core.errors import DomainError
from centrex.core.pages import page_for

Entry = ReservedName | GenericWord


@dataclass(frozen=True)
class WordList:
    """One word list of R-A4b as its pages need it: its rows, the form that adds one, the
    actions, and what the operator is told."""

    model: type[ReservedName] | type[GenericWord]
    # The entry's text: the model's field, the form's and the messages' placeholder.
    field: str
    form: type[forms.Form]
    # The form's prefix, and its name in the lists page (`<prefix>_form`, `<prefix>_entries`).
    prefix: str
    add: Callable[..., Entry]
    remove: Callable[..., None]
    added: Promise
    removed: Promise


RESERVED_NAME_LIST = WordList(
    model=ReservedName,
    field="name",
    form=ReservedNameForm,
    prefix="reserved",
    add=add_reserved_name,
    remove=remove_reserved_name,
    added=gettext_lazy("“%(name)s” added to the reserved names."),
    removed=gettext_lazy("“%(name)s” removed from the reserved names."),
)
GENERIC_WORD_LIST = WordList(
    model=GenericWord,
    field="word",
    form=GenericWordForm,
    prefix="generic",
    add=add_generic_word,
    remove=remove_generic_word,
    added=gettext_lazy("“%(word)s” added to the generic words."),
    removed=gettext_lazy("“%(word)s” removed from the generic words."),
)


def _lists_page(request: HttpRequest, **bound: forms.Form) -> HttpResponse:
    """The lists and the setting, with the forms in `bound` as the operator sent them."""
    context: dict[str, Any] = {
        "settings_form": bound.get("settings_form")
        or AliasSettingsForm(
            prefix="settings",
            initial={"extended_charset": AliasSettings.current().extended_charset},
        ),
        "extended_symbols": " ".join(EXTENDED_SYMBOLS),
    }
    for word_list in (RESERVED_NAME_LIST, GENERIC_WORD_LIST):
        form_name = f"{word_list.prefix}_form"
        context[form_name] = bound.get(form_name) or word_list.form(prefix=word_list.prefix)
        context[f"{word_list.prefix}_entries"] = word_list.model.objects.order_by(word_list.field)
    return render(request, "backoffice/aliases/lists.html", context)


@require_GET
@page_for(require_operator)
def alias_lists(request: HttpRequest, operator: User) -> HttpResponse:
    """The reserved names and generic words (R-A4b) and the character-set setting (R-A1)."""
    return _lists_page(request)


@require_POST
@page_for(require_operator)
def entry_add(request: HttpRequest, operator: User, word_list: WordList) -> HttpResponse:
    """One more entry of `word_list`; one that matches an entry already there is refused."""
    form = word_list.form(request.POST, prefix=word_list.prefix)
    if form.is_valid():
        try:
            entry = word_list.add(form.cleaned_data[word_list.field], acting_user=operator)
        except DomainError as error:
            show_domain_error(error, form, fields={"name": word_list.field})
        else:
            messages.success(request, word_list.added % {word_list.field: str(entry)})
            return redirect("backoffice:alias_lists")
    return _lists_page(request, **{f"{word_list.prefix}_form": form})


@require_POST
@page_for(require_operator)
def entry_remove(
    request: HttpRequest, operator: User, pk: int, word_list: WordList
) -> HttpResponse:
    """An entry out of `word_list`; aliases validated meanwhile stay as they are."""
    entry = word_list.model.objects.one_or_not_found(pk=pk)
    text = str(entry)
    word_list.remove(entry, acting_user=operator)
    messages.success(request, word_list.removed % {word_list.field: text})
    return redirect("backoffice:alias_lists")


@require_POST
@page_for(require_operator)
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
