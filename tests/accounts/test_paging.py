"""CappedPaginator counts a long list only as far as a few pages past the one asked for."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Office
from accounts.paging import CappedPaginator, Counted

pytestmark = pytest.mark.django_db


@pytest.fixture
def offices():
    Office.objects.bulk_create(Office(name=f"Office {n:03}") for n in range(47))
    return Office.objects.order_by("name")


def test_a_short_list_is_counted_exactly(offices):
    paginator = CappedPaginator(offices, 10, number="1", lookahead=10)
    assert paginator.count == 47
    assert not paginator.capped
    assert paginator.num_pages == 5


def test_a_long_list_is_counted_to_the_lookahead_and_says_there_is_more(offices):
    paginator = CappedPaginator(offices, 10, number="1", lookahead=2)
    page = paginator.get_page("1")
    assert paginator.count == 30
    assert paginator.capped
    assert paginator.num_pages == 3
    assert page.has_next()
    assert [o.name for o in page] == [f"Office {n:03}" for n in range(10)]


def test_asking_for_a_later_page_counts_further(offices):
    paginator = CappedPaginator(offices, 10, number="3", lookahead=1)
    page = paginator.get_page("3")
    assert paginator.count == 40 and paginator.capped
    assert page.has_next()
    last = CappedPaginator(offices, 10, number="5", lookahead=1).get_page("5")
    assert [o.name for o in last] == [f"Office {n:03}" for n in range(40, 47)]
    assert not last.paginator.capped and not last.has_next()


@pytest.mark.parametrize("number", [None, "", "x", "-4", "0", "99999999999999999999"])
def test_any_page_number_gives_a_page(offices, number):
    page = CappedPaginator(offices, 10, number=number, lookahead=1).get_page(number)
    assert len(page) > 0


def test_the_capped_paginator_counts_in_one_query_without_scanning_past_the_limit(offices):
    paginator = CappedPaginator(offices, 10, number="1", lookahead=1)
    with CaptureQueriesContext(connection) as queries:
        assert paginator.capped
        assert paginator.count == 20
    assert len(queries) == 1
    assert "LIMIT 21" in queries[0]["sql"]


def test_the_count_does_not_sort(offices):
    paginator = CappedPaginator(offices, 10, number="1", lookahead=1)
    with CaptureQueriesContext(connection) as queries:
        assert paginator.count == 20
    (count,) = queries.captured_queries
    assert "ORDER BY" not in count["sql"]


def _pager(path: str, number: int) -> str:
    from django.core.paginator import Paginator
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    page = Paginator(range(30), 10).get_page(number)
    return render_to_string(
        "includes/pagination.html", {"page": page}, request=RequestFactory().get(path)
    )


def test_the_capped_paginator_links_pages_keeping_the_filters_and_one_page_parameter():
    html = _pager("/dashboard/losses/?office=2&page=2", 2)
    assert 'href="?office=2&amp;page=1"' in html
    assert 'href="?office=2&amp;page=3"' in html
    assert html.count("page=") == 2


def test_the_capped_paginator_escapes_the_parameters_it_keeps():
    html = _pager('/clients/?q="><script>&page=2', 2)
    assert "<script>" not in html


def test_a_count_made_before_that_found_every_row_is_the_count(offices, django_assert_num_queries):
    paginator = CappedPaginator(offices, 10, number="1", lookahead=1, counted=Counted(17, 1001))
    with django_assert_num_queries(0):
        assert paginator.count == 17
        assert not paginator.capped
        assert paginator.num_pages == 2


def test_a_count_made_before_that_looked_past_the_limit_says_there_is_more(
    offices, django_assert_num_queries
):
    paginator = CappedPaginator(offices, 10, number="1", lookahead=1, counted=Counted(47, 47))
    with django_assert_num_queries(0):
        assert paginator.count == 20
        assert paginator.capped


def test_a_count_made_before_that_stopped_short_of_the_limit_is_counted_again(offices):
    paginator = CappedPaginator(offices, 10, number="3", lookahead=1, counted=Counted(21, 21))
    assert paginator.count == 40
    assert paginator.capped
