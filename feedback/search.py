"""Searching what clients said and what teams supposed, in the exit interviews one may read.

On PostgreSQL it is full-text search (the English configuration: "calls" finds "called") over
the client's words (weight A) and the team's hypothesis (weight B), typed in web-search syntax
(`"two weeks"` for a phrase, `-fees` to leave out, `or`), which never fails on what people type;
results come best first (ts_rank) with highlighted snippets (ts_headline). The words are read
from `words_vector`, a column PostgreSQL generates from both texts (migration 0010, with its GIN
index `interview_words_search`), so rewriting the words (erasure) rewrites it too.

Elsewhere (SQLite) every word typed must appear in one of the two texts, newest first, with a
snippet around the first match.
"""

import re
import secrets
from dataclasses import dataclass

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVectorField,
)
from django.db import connection
from django.db.models import Expression, Q
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from accounts.paging import Counted

CONFIG = "english"  # the configuration migration 0010 generates words_vector with
# Ranking reads each match's vector: up to this many (a few milliseconds); a search matching more
# is shown newest first, which the database can stop reading after one page.
RANKED_AT_MOST = 1000
SNIPPET_WORDS = 30
# The SQLite snippet: characters kept before and after the first match.
BEFORE, AFTER = 60, 160


@dataclass(frozen=True)
class Snippet:
    """Where the words shown come from (the client's words or the team's hypothesis: never
    one presented as the other) and the HTML to show: escaped text and our <mark> tags only."""

    source: str
    html: SafeString

    @property
    def is_hypothesis(self) -> bool:
        return self.source == "team_hypothesis"


def full_text() -> bool:
    return connection.vendor == "postgresql"


class WordsVector(Expression):
    """The interview's generated `words_vector` column (PostgreSQL only, not on the model), named
    through the query's own alias for the interview table, so it also works in a subquery."""

    output_field = SearchVectorField()

    def __init__(self, alias: str | None = None):
        super().__init__()
        self.alias = alias

    def resolve_expression(self, query=None, *args, **kwargs):
        resolved = self.copy()
        resolved.alias = query.get_initial_alias()
        return resolved

    def relabeled_clone(self, change_map):
        clone = self.copy()
        clone.alias = change_map.get(self.alias, self.alias)
        return clone

    def as_sql(self, compiler, connection):
        table = compiler.quote_name_unless_alias(self.alias)
        return f"{table}.{connection.ops.quote_name('words_vector')}", []


def _query(text: str) -> SearchQuery:
    return SearchQuery(text, config=CONFIG, search_type="websearch")


# A term as the fallback reads web-search syntax: an optional minus, then a "quoted phrase" or a
# word.
TERM = re.compile(r'(-?)"([^"]+)"?|(-?)(\S+)')


def _terms(text: str) -> tuple[list[str], list[str]]:
    """The words and phrases of a search as the SQLite fallback reads it: those to find, and
    those (after a minus) to leave out."""
    find, leave_out = [], []
    for minus, phrase, word_minus, word in TERM.findall(text):
        term = (phrase or word).strip("\"' ")
        if term and term.lower() != "or":
            (leave_out if minus or word_minus else find).append(term)
    return find, leave_out


def matching(interviews, text: str):
    """The interviews whose words or hypothesis match `text` (all of them for a blank search),
    unordered."""
    text = text.strip()
    if not text:
        return interviews
    if full_text():
        return interviews.alias(words_vector=WordsVector()).filter(words_vector=_query(text))
    find, leave_out = _terms(text)
    for term in find:
        interviews = interviews.filter(
            Q(client_words__icontains=term) | Q(team_hypothesis__icontains=term)
        )
    for term in leave_out:
        interviews = interviews.exclude(client_words__icontains=term).exclude(
            team_hypothesis__icontains=term
        )
    return interviews


def ordered(matches, text: str) -> tuple[object, bool, Counted | None]:
    """Best first when the search can be ranked, else newest first; whether it was ranked; and
    the count of matches that decided it, which the pager reuses. `matches` comes from
    matching()."""
    newest = matches.order_by("-held_on", "-pk")
    if not full_text() or not text.strip():
        return newest, False, None
    ids = list(matches.order_by().values_list("pk", flat=True)[: RANKED_AT_MOST + 1])
    counted = Counted(len(ids), RANKED_AT_MOST + 1)
    if counted.rows > RANKED_AT_MOST:
        return newest, False, counted
    # Ranked among the ids just found, each read by its key: matching them again (the phrase
    # recheck, the visibility joins) would cost as much as finding them did.
    rank = SearchRank(WordsVector(), _query(text.strip()))
    best = matches.model.objects.filter(pk__in=ids).annotate(rank=rank)
    return best.order_by("-rank", "-held_on", "-pk"), True, counted


def snippets(interviews, text: str) -> dict[int, Snippet]:
    """A snippet of each interview's matching words, by id (one query on PostgreSQL)."""
    text = text.strip()
    if not text or not interviews:
        return {}
    ids = [interview.pk for interview in interviews]
    texts = type(interviews[0]).objects.filter(pk__in=ids)
    if full_text():
        return _headlines(texts, text)
    terms, _ = _terms(text)
    if not terms:
        return {}
    rows = texts.values_list("pk", "client_words", "team_hypothesis")
    return {pk: _around_first_match(words, hypothesis, terms) for pk, words, hypothesis in rows}


def _headlines(texts, text: str) -> dict[int, Snippet]:
    # Markers nobody can type in advance: the headline is split on them, each piece escaped.
    start, stop = f"hl{secrets.token_hex(8)}s", f"hl{secrets.token_hex(8)}e"
    options = {
        "config": CONFIG,
        "start_sel": start,
        "stop_sel": stop,
        "max_words": SNIPPET_WORDS,
        "min_words": SNIPPET_WORDS // 2,
        "max_fragments": 2,
        "fragment_delimiter": " … ",
    }
    query = _query(text)
    rows = texts.annotate(
        words_headline=SearchHeadline("client_words", query, **options),
        hypothesis_headline=SearchHeadline("team_hypothesis", query, **options),
    ).values_list("pk", "words_headline", "hypothesis_headline")
    found = {}
    for pk, words, hypothesis in rows:
        # The client's words when the match is there, else the hypothesis that matched.
        source, headline = "client_words", words
        if start not in words and start in (hypothesis or ""):
            source, headline = "team_hypothesis", hypothesis
        found[pk] = Snippet(source, _marked(headline or "", start, stop))
    return found


def _marked(headline: str, start: str, stop: str) -> SafeString:
    first, *rest = headline.split(start)
    html = [escape(first)]
    for piece in rest:
        hit, _, after = piece.partition(stop)
        html.append(f"<mark>{escape(hit)}</mark>{escape(after)}")
    return mark_safe("".join(html))  # every piece of the text is escaped


def _around_first_match(words: str, hypothesis: str, terms: list[str]) -> Snippet:
    pattern = re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE)
    source, text, found = "client_words", words, None
    for field, value in (("client_words", words), ("team_hypothesis", hypothesis)):
        found = pattern.search(value)
        if found:
            source, text = field, value
            break
    start = max(0, found.start() - BEFORE) if found else 0
    end = min(len(text), (found.end() if found else 0) + AFTER)
    window = text[start:end]
    html = []
    position = 0
    for match in pattern.finditer(window):
        html.append(escape(window[position : match.start()]))
        html.append(f"<mark>{escape(match.group())}</mark>")
        position = match.end()
    html.append(escape(window[position:]))
    prefix, suffix = ("… " if start else ""), (" …" if end < len(text) else "")
    return Snippet(source, mark_safe(prefix + "".join(html) + suffix))  # pieces escaped above
