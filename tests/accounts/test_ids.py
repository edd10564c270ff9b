import pytest
from django.http import Http404

from accounts.ids import MAX_ID, id_or_404, parse_id, parse_ids


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("42", 42),
        (" 7 ", 7),
        (42, 42),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        ("99999999999999999999", None),
        ("0", None),
        ("-1", None),
        ("²", None),
        ("١٢", None),
        ("1e3", None),
        ("4.0", None),
        ("", None),
        (None, None),
        ("12abc", None),
    ],
)
def test_the_id_reader_reads_an_id_the_database_can_hold(value, expected):
    assert parse_id(value) == expected


def test_the_id_reader_keeps_only_the_ids_among_several_values():
    assert parse_ids(["3", "x", "99999999999999999999", "²", "5"]) == [3, 5]


def test_an_impossible_id_is_a_404():
    assert id_or_404("12") == 12
    with pytest.raises(Http404):
        id_or_404("99999999999999999999")
