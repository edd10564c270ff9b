"""Ids typed into URLs, query strings and forms: a number every database can hold, or nothing.

Python reads any run of digits as a number, but SQLite cannot bind one past 2**63 - 1 and raises
OverflowError from a related-object lookup; and str.isdigit() accepts digits such as "²" that
int() refuses. So every id a person can type is read here."""

from collections.abc import Iterable

from django.http import Http404

MAX_ID = 2**63 - 1


def parse_id(value) -> int | None:
    """The id in `value` (ASCII digits, 1 to MAX_ID), or None for anything else."""
    text = str(value if value is not None else "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def parse_ids(values: Iterable) -> list[int]:
    """The ids among `values`; anything that is not one is left out."""
    return [number for number in map(parse_id, values) if number is not None]


def id_or_404(value) -> int:
    """The id in `value`, or 404: a link with an impossible id leads nowhere."""
    number = parse_id(value)
    if number is None:
        raise Http404("No such item.")
    return number
