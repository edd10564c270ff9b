"""The interview search itself (feedback/search.py): ranking, web-search syntax, snippets and the
index on PostgreSQL; the same promises, as far as it makes them, on SQLite. Run it on both:
DATABASE_URL=postgres://... for the full-text path."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from feedback import search, views
from feedback.models import ExitInterview
from privacy.services import erase_client
from tests.factories import ClientFactory, ExitInterviewFactory

pytestmark = pytest.mark.django_db

URL = reverse("feedback:interview_list")
TODAY = dt.date(2026, 11, 30)


def _interview(words: str, hypothesis: str = "", days_ago: int = 0, **kwargs) -> ExitInterview:
    return ExitInterviewFactory(
        client_words=words,
        team_hypothesis=hypothesis,
        held_on=TODAY - dt.timedelta(days=days_ago),
        **kwargs,
    )


def _found(text: str) -> list[ExitInterview]:
    matches = search.matching(ExitInterview.objects.all(), text)
    return list(search.ordered(matches, text)[0])


def _search_page(client, text: str):
    """The interview list searched for `text`; the SQL of each query that tested the words, and
    of each that counted interviews."""
    # The full-text match, or the fallback's LIKE; a ranked page reads its rows by id, and the
    # snippets' ts_headline tests no row.
    test = "@@" if search.full_text() else "LIKE"
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, {"q": text})
    assert response.status_code == 200
    queries = [query["sql"] for query in captured]
    searching = [sql for sql in queries if test in sql]
    counting = [sql for sql in queries if "COUNT(" in sql and "feedback_exitinterview" in sql]
    return response, searching, counting


def test_the_best_match_comes_first_on_postgresql_and_the_newest_elsewhere():
    once = _interview("The portal was slow.", days_ago=1)
    often = _interview("Portal down, portal locked, portal lost our files.", days_ago=30)
    in_hypothesis = _interview("We moved.", hypothesis="Maybe the portal.", days_ago=0)
    expected = [often, once, in_hypothesis] if search.full_text() else [in_hypothesis, once, often]
    assert _found("portal") == expected


def test_a_quoted_phrase_finds_the_words_together_only():
    together = _interview("Nobody called us back for two weeks.")
    _interview("Two people called; it took weeks.")
    assert _found('"two weeks"') == [together]


def test_a_minus_leaves_out_what_mentions_the_word():
    about_fees = _interview("The portal was slow and the fees rose.")
    only_portal = _interview("The portal was slow.")
    assert _found("portal -fees") == [only_portal]
    assert _found("portal") != [only_portal]
    assert about_fees in _found("portal")


def test_on_postgresql_a_word_finds_its_other_forms():
    called = _interview("Nobody called us back.")
    expected = [called] if search.full_text() else []
    assert _found("calls") == expected


@pytest.mark.parametrize(
    "text",
    ['"', '"unbalanced', "-", "--", "a & | ! ( ) :* <-> \\", "or", "the", "'", "%", "_", "😀"],
)
def test_no_text_a_person_types_makes_the_search_fail(text):
    _interview("The 100% portal_fee rose.")
    list(search.ordered(search.matching(ExitInterview.objects.all(), text), text)[0])


def test_an_empty_search_matches_everything_newest_first():
    old, new = _interview("a", days_ago=5), _interview("b", days_ago=1)
    assert _found("  ") == [new, old]
    assert search.ordered(ExitInterview.objects.all(), "")[1] is False


def test_the_snippet_marks_the_match_and_escapes_the_rest():
    interview = _interview('We said <b>"stop"</b> & the portal <script>x()</script> failed.')
    [snippet] = search.snippets([interview], "portal").values()
    html = str(snippet.html)
    assert "<mark>portal</mark>" in html.lower()
    # PostgreSQL's headline drops tags; the fallback shows them as text. Neither runs them.
    assert "<b>" not in html and "<script>" not in html
    assert "&amp;" in html
    assert html.replace("<mark>", "").replace("</mark>", "").count("<") == 0


def test_text_that_looks_like_the_marker_is_shown_as_text():
    interview = _interview("The portal hl0000000000000000s and </mark> too.")
    [snippet] = search.snippets([interview], "portal").values()
    html = str(snippet.html)
    assert html.count("<mark>") == html.count("</mark>") == 1
    assert "hl0000000000000000s" in html


def test_the_snippet_comes_from_the_hypothesis_only_when_the_words_do_not_match():
    words = _interview("The portal again.", hypothesis="The portal, they think.")
    hypothesis = _interview("We moved away.", hypothesis="The portal, we suppose.")
    found = search.snippets([words, hypothesis], "portal")
    assert not found[words.pk].is_hypothesis
    assert found[hypothesis.pk].is_hypothesis


def test_on_postgresql_a_search_matching_too_many_to_rank_comes_newest_first(monkeypatch):
    monkeypatch.setattr(search, "RANKED_AT_MOST", 2)
    old = _interview("portal portal portal", days_ago=9)
    newer = [_interview("portal", days_ago=n) for n in (1, 2)]
    interviews, ranked, _ = search.ordered(
        search.matching(ExitInterview.objects.all(), "portal"), "portal"
    )
    assert ranked is False
    assert list(interviews) == [*newer, old]


def test_the_page_says_when_a_search_was_too_broad_to_rank(client, pat, monkeypatch):
    monkeypatch.setattr(search, "RANKED_AT_MOST", 1)
    _interview("portal"), _interview("portal")
    client.force_login(pat)
    body = client.get(URL, {"q": "portal"}).content.decode()
    assert ("too many to rank" in body) is search.full_text()


def test_on_postgresql_the_search_reads_the_index():
    for n in range(20):
        _interview(f"Words number {n} about the portal.")
    if not search.full_text():
        assert not connection.introspection.get_constraints(
            connection.cursor(), "feedback_exitinterview"
        ).get("interview_words_search")
        return
    matches = search.matching(ExitInterview.objects.all(), "portal")
    with connection.cursor() as cursor:
        # A handful of rows: without this, any index that orders them will do for the planner.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    assert "interview_words_search" in matches.explain()


def test_on_postgresql_the_client_search_reads_the_trigram_index():
    ClientFactory(name="Harbor Freight Co")
    if not search.full_text():
        return
    with connection.cursor() as cursor:
        # A handful of rows: without this, any index that orders them will do for the planner.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    from feedback.models import Client

    assert "client_name_trigram" in Client.objects.filter(name__icontains="freight").explain()


def test_erasing_a_client_leaves_none_of_its_words_searchable(client, pat):
    acme = ClientFactory(name="Zanzibar Widgets")
    _interview("Zanzibar Widgets left because the quokka invoices were late.", client=acme)
    assert _found("quokka")
    erase_client(client=acme)
    assert _found("quokka") == []
    assert _found("zanzibar") == []
    if search.full_text():
        with connection.cursor() as cursor:
            cursor.execute("SELECT words_vector::text FROM feedback_exitinterview")
            stored = " ".join(row[0] for row in cursor.fetchall())
        assert "quokka" not in stored and "zanzibar" not in stored


def test_a_search_page_finds_its_matches_once_and_counts_them_from_there(client, pat):
    for n in range(30):
        _interview(f"The portal, complaint number {n}.", days_ago=n)
    client.force_login(pat)
    response, searching, counting = _search_page(client, "portal")
    assert response.context["page"].paginator.count == 30
    assert response.context["ranked"] is search.full_text()
    # On PostgreSQL one query finds the matches; the count and the ranked page come from it.
    # The fallback counts, then reads the page.
    assert (len(searching), len(counting)) == ((1, 0) if search.full_text() else (2, 1))


def test_a_search_too_broad_to_rank_counts_from_the_matches_found(client, pat, monkeypatch):
    # Pages of 2 count up to 22 rows (11 pages); 26 found say there are more.
    monkeypatch.setattr(views, "INTERVIEWS_PER_PAGE", 2)
    monkeypatch.setattr(search, "RANKED_AT_MOST", 25)
    for n in range(30):
        _interview(f"The portal, complaint number {n}.", days_ago=n)
    client.force_login(pat)
    response, searching, counting = _search_page(client, "portal")
    assert response.context["ranked"] is False
    newest = [interview.held_on for interview, _ in response.context["rows"]]
    assert newest == [TODAY, TODAY - dt.timedelta(days=1)]
    paginator = response.context["page"].paginator
    assert (paginator.count, paginator.capped) == (22, True)
    # On PostgreSQL the matches found, then the newest page; the fallback counts, then reads it.
    assert (len(searching), len(counting)) == ((2, 0) if search.full_text() else (2, 1))


def test_an_account_managers_search_is_tested_inside_each_way_in(client, alice):
    mine = _interview("The portal again.", client=ClientFactory(account_manager=alice))
    _interview("The portal elsewhere.")
    _interview("Fees.", client=ClientFactory(account_manager=alice))
    client.force_login(alice)
    response, searching, _ = _search_page(client, "portal")
    assert [row[0] for row in response.context["rows"]] == [mine]
    # Her own interviews, her clients', her reviews': each way in is narrowed by the search, so
    # the database starts from the words' index, not from all she may read.
    first = searching[0]
    tests = 4 if search.full_text() else 8  # the fallback tests the words and the hypothesis
    assert "UNION" in first
    assert first.count("@@" if search.full_text() else "LIKE") == tests
