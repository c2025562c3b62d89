"""Reading what a client sends: the one reader of JSON bodies for the whole API (the ninja
endpoints through `centrex.api.StrictJsonParser`, the SMS intake's fast path alike) and the
check of every text a request carries (API.md "Bad bodies").

- An empty body, one that is not UTF-8, not JSON (`NaN` and `Infinity` are not JSON either),
  or JSON nested deeper than `MAX_DEPTH` levels → 400 `malformed_request`.
- JSON that is not an object where the API expects one (every body of the API is an object:
  an array, `null`, a number…) → 422 `validation_error`.
- A string holding NUL or a lone surrogate, anywhere (values and keys of bodies, query
  parameters) → 422 `validation_error` naming each field. No database stores NUL (PostgreSQL
  refuses it) and no lone surrogate can be encoded as UTF-8, so such text could only fail
  later, half-stored or in an answer that cannot be written.

Pages' forms need none of this: Django's `CharField` refuses NUL with a field error and its
form data decoding replaces what is not UTF-8, so no surrogate arrives
(tests/core/test_form_text.py walks every form).
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.utils.translation import gettext_lazy as _

from centrex.core.errors import DomainError, ErrorCode, FieldError

MAX_DEPTH = 32

# NUL, or a UTF-16 surrogate: json.loads and Python strings keep an unpaired `\ud800` as is (a
# paired escape becomes one code point), so any surrogate left in a str is a lone one.
_UNSAFE_TEXT = re.compile("[\x00\ud800-\udfff]")


def _malformed(message: Any) -> DomainError:
    return DomainError(ErrorCode.MALFORMED_REQUEST, message)


def empty_body_error() -> DomainError:
    return _malformed(_("The request has no body: send a JSON object."))


def not_json_error() -> DomainError:
    return _malformed(_("The body must be valid JSON sent with Content-Type: application/json."))


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def read_json(body: bytes) -> Any:
    """The JSON value of a request body, or DomainError `malformed_request` (400) when there is
    none to read, or `validation_error` (422) when one of its strings holds NUL or a lone
    surrogate."""
    if not body:
        raise empty_body_error()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise _malformed(_("The body is not UTF-8: send JSON encoded as UTF-8.")) from None
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise _too_deep() from None
    except ValueError:
        raise not_json_error() from None
    refuse_unsafe_json(value)
    return value


def read_json_object(body: bytes) -> dict[str, Any]:
    """`read_json` for a body that must be a JSON object (every body of the API is one)."""
    value = read_json(body)
    if not isinstance(value, dict):
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            _("The body must be a JSON object ({…}), not an array, a number, a string or null."),
        )
    return value


def _too_deep() -> DomainError:
    return _malformed(_("The body is nested deeper than %(depth)s levels.") % {"depth": MAX_DEPTH})


def refuse_unsafe_json(value: Any) -> None:
    """Walk a parsed JSON value (without recursion): deeper than MAX_DEPTH → 400; strings or
    keys holding NUL or a lone surrogate → 422 naming each place (`to[2]`, `address.city`),
    in the order of the document."""
    unsafe: list[str | None] = []
    pending: list[tuple[Any, int, str]] = [(value, 0, "")]
    while pending:
        item, depth, field = pending.pop()
        if isinstance(item, str):
            if has_unsafe_text(item):
                unsafe.append(field or None)
        elif isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                raise _too_deep()
            children: list[tuple[Any, int, str]] = []
            if isinstance(item, list):
                children = [
                    (entry, depth + 1, f"{field}[{index}]") for index, entry in enumerate(item)
                ]
            else:
                for key, entry in item.items():
                    path = f"{field}.{key}" if field else key
                    if has_unsafe_text(key):
                        unsafe.append(path)
                    children.append((entry, depth + 1, path))
            pending.extend(reversed(children))
    if unsafe:
        raise _unsafe_text_error(unsafe)


def has_unsafe_text(text: str) -> bool:
    """Whether `text` holds NUL or a lone surrogate (the fast path: ASCII without NUL)."""
    if text.isascii():
        return "\x00" in text
    return _UNSAFE_TEXT.search(text) is not None


UNSAFE_TEXT_MESSAGE = _("This text holds a NUL character or an invalid (surrogate) character.")


def refuse_unsafe_text(text: str, field: str | None) -> None:
    """422 `validation_error` on `field` when `text` holds NUL or a lone surrogate."""
    if has_unsafe_text(text):
        raise _unsafe_text_error([field])


def _unsafe_text_error(fields: list[str | None]) -> DomainError:
    """The message never repeats the text: it could not be encoded in the answer."""
    return DomainError(
        ErrorCode.VALIDATION_ERROR,
        UNSAFE_TEXT_MESSAGE,
        errors=[
            FieldError(_printable(field), ErrorCode.VALIDATION_ERROR, UNSAFE_TEXT_MESSAGE)
            for field in fields
        ],
    )


def _printable(field: str | None) -> str | None:
    """A field name safe to echo: a key may be the unsafe text itself."""
    if field is None or not has_unsafe_text(field):
        return field
    return _UNSAFE_TEXT.sub("\N{REPLACEMENT CHARACTER}", field)
