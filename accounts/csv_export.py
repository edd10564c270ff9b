"""The one way the app writes CSV: every cell a spreadsheet could run as a formula goes out as text.

Excel, LibreOffice and Google Sheets run a cell that starts with = + - @ (or a tab, or a line
break, before one) as a formula, so a client named `=HYPERLINK(...)` could run code on a partner's
laptop the moment the export is opened. Such a cell gets a leading apostrophe, which spreadsheets
show as text and hide. Numbers, dates and other values that are not text go out unchanged.
https://owasp.org/www-community/attacks/CSV_Injection
"""

import csv
import datetime as dt
import decimal
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from . import audit

# What a spreadsheet may read as the start of a formula, including the full-width forms.
FORMULA_STARTS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# Characters a spreadsheet skips, or treats as a cell of its own, before the formula.
LEADING_BLANKS = " \t\r\n\u00a0\u3000"


def spreadsheet_safe(value) -> object:
    """The cell as it should be written: text that could start a formula gets an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float | decimal.Decimal | dt.date | dt.time):
        return value
    text = str(value)
    if text[:1] in ("\t", "\r", "\n") or text.lstrip(LEADING_BLANKS)[:1] in FORMULA_STARTS:
        return "'" + text
    return text


class SafeWriter:
    """csv.writer's interface (writerow, writerows), with every cell made spreadsheet-safe."""

    def __init__(self, stream):
        self._writer = csv.writer(stream)

    def writerow(self, row: Iterable):
        return self._writer.writerow([spreadsheet_safe(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(stream) -> SafeWriter:
    """A writer for any CSV the app hands out (an HTTP response, a file, a StringIO)."""
    return SafeWriter(stream)


def csv_response(filename: str) -> tuple[HttpResponse, SafeWriter]:
    """A CSV download named `filename`, and the writer to fill it with."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response, csv_writer(response)


# A list page's CSV ------------------------------------------------------------------------------
#
# Every list a person can see downloads as CSV with the filters on screen: the list view itself
# answers `?format=csv` from the same filtered rows it pages (all of them, not the page), so the
# download can never show more, or other, rows than the page. Columns are declared next to the
# view; the download is audited like the client and action exports.

CSV_FORMAT = "csv"


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Any], object]


def wants_csv(request: HttpRequest) -> bool:
    return request.GET.get("format") == CSV_FORMAT


def list_csv(
    request: HttpRequest,
    rows: Iterable,
    *,
    columns: Sequence[Column],
    filename: str,
    object_type: str,
) -> HttpResponse:
    """`rows` as a CSV download, one line per row in `columns`, and an audit row saying who
    exported how many rows with which filters."""
    response, writer = csv_response(filename)
    writer.writerow([column.header for column in columns])
    count = 0
    for row in rows:
        writer.writerow([column.value(row) for column in columns])
        count += 1
    filters = request.GET.copy()
    filters.pop("format", None)
    audit.record(
        actor=request.user,
        verb="export",
        object_type=object_type,
        request=request,
        detail={"rows": count, "filters": filters.urlencode()},
    )
    return response


def absolute_url(obj) -> str:
    """The object's page as a link that works outside the app (SITE_URL, never the Host header)."""
    return settings.SITE_URL + obj.get_absolute_url()


def local_time(value: dt.datetime | None) -> str:
    """A timestamp in the firm's time zone, as a spreadsheet reads it; empty when missing."""
    return timezone.localtime(value).isoformat(timespec="minutes") if value else ""
