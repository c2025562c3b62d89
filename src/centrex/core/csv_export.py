"""CSV downloads of the back office (audit trails): streamed, and safe to open in a
spreadsheet."""

from __future__ import annotations

import csv
from collections.abc import Iterable

from django.http import StreamingHttpResponse
from django.utils import timezone


class _Echo:
    """A file-like object whose write returns the line, for streaming a CSV."""

    def write(self, value: str) -> str:
        return value


def spreadsheet_safe(value: object) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection): text starting with
    = + - @ (or a tab or carriage return) gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_download(rows: Iterable[list[str]], name: str) -> StreamingHttpResponse:
    """Stream `rows` as `<name>-<YYYYmmdd-HHMM>.csv` (local time)."""
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    return response
