"""The API's lists (API.md "Lists"): `?limit=` (default 50, at most 200: a larger one is
served as 200) and `?offset=`, answered as `{"count": N, "items": [...]}`.

`paginated` is the one decorator every list endpoint uses. The offset is bounded by what a
database can take in `OFFSET` (issue 13: the fuzz sent `offset=77254163607227318272` and
SQLite failed with "datatype mismatch"): beyond it, 422 `validation_error`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination, paginate

MAX_LIMIT = 200
# PostgreSQL's integer range: far past any list, and within every database's OFFSET.
MAX_OFFSET = 2**31 - 1


class ListPagination(LimitOffsetPagination):
    """LimitOffsetPagination with a bounded offset."""

    class Input(Schema):
        limit: int = Field(settings.NINJA_PAGINATION_PER_PAGE, ge=1)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)


def paginated(view: Callable[..., Any]) -> Callable[..., Any]:
    """`@paginate` with the API's pagination: put it under the router's decorator."""
    decorated: Callable[..., Any] = paginate(ListPagination, max_limit=MAX_LIMIT)(view)
    return decorated
