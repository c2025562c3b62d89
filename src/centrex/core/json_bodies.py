"""Reading what a client sends: the one reader of JSON bodies for the whole API (the ninja
endpoints through `centrex.api.StrictJsonParser`, the SMS intake's fast path alike) and the
check of every text a request carries (API.md "Bad bodies").

- An empty body, one that is not UTF-8, not JSON (`NaN` and `Infinity` are not JSON either),
  or JSON nested deeper than `MAX_DEPTH` levels → 400 `malformed_request`.
- JSON that is not an object where the API expects one (every body of the API is an object:
  an array, `null`, a number…) → 422 `validation_error`.
- A string holding NUL or a lone surrogate, anywhere (values and keys, bodies and query
  parameters, pages' form fields) → 422 `validation_error` naming the field. No database
  stores NUL (PostgreSQL refuses it) and no lone surrogate can be encoded as UTF-8, so such
  text could only fail later, half-stored or in an answer that cannot be written.
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


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def read_json(body: bytes) -> Any:
    """The JSON value of a request body, or DomainError `malformed_request` (400) when there is
    none to read, or `validation_error` (422) when one of its strings holds NUL or a lone
    surrogate."""
    if not body:
        raise _malformed(_("The request has no body: send a JSON object."))
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise _malformed(_("The body is not UTF-8: send JSON encoded as UTF-8.")) from None
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise _too_deep() from None
    except ValueError:
        raise _malformed(
            _("The body must be valid JSON sent with Content-Type: application/json.")
        ) from None
    refuse_unsafe_json(value)
    return value


def read_json_object(body: bytes) -> dict[str, Any]:
    """`read_json` for a body that must be a JSON object (every body of the API is one)."""
    value = read_json(body)
    if not isinstance(value, dict):
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            _("The body must be a JSON object ({…}), not %(kind)s.") % {"kind": _kind(value)},
        )
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    return "a number"


def _too_deep() -> DomainError:
    return _malformed(_("The body is nested deeper than %(depth)s levels.") % {"depth": MAX_DEPTH})


def refuse_unsafe_json(value: Any) -> None:
    """Walk a parsed JSON value (without recursion): deeper than MAX_DEPTH → 400, a string or
    key holding NUL or a lone surrogate → 422 naming where (`to[2]`, `address.city`)."""
    pending: list[tuple[Any, int, str]] = [(value, 0, "")]
    while pending:
        item, depth, field = pending.pop()
        if isinstance(item, str):
            refuse_unsafe_text(item, field or None)
        elif isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                raise _too_deep()
            if isinstance(item, list):
                pending.extend(
                    (entry, depth + 1, f"{field}[{index}]") for index, entry in enumerate(item)
                )
            else:
                for key, entry in item.items():
                    path = f"{field}.{key}" if field else key
                    refuse_unsafe_text(key, path)
                    pending.append((entry, depth + 1, path))


def has_unsafe_text(text: str) -> bool:
    """Whether `text` holds NUL or a lone surrogate (the fast path: ASCII without NUL)."""
    if text.isascii():
        return "\x00" in text
    return _UNSAFE_TEXT.search(text) is not None


UNSAFE_TEXT_MESSAGE = _("This text holds a NUL character or an invalid (surrogate) character.")


def refuse_unsafe_text(text: str, field: str | None) -> None:
    """422 `validation_error` on `field` when `text` holds NUL or a lone surrogate. The
    message never repeats the text: it could not be encoded in the answer."""
    if has_unsafe_text(text):
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            UNSAFE_TEXT_MESSAGE,
            errors=[FieldError(_printable(field), ErrorCode.VALIDATION_ERROR, UNSAFE_TEXT_MESSAGE)],
        )


def _printable(field: str | None) -> str | None:
    """A field name safe to echo: a key may be the unsafe text itself."""
    if field is None or not has_unsafe_text(field):
        return field
    return _UNSAFE_TEXT.sub("\N{REPLACEMENT CHARACTER}", field)
