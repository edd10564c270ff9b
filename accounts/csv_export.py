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
from collections.abc import Iterable

from django.http import HttpResponse

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
