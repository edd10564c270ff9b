"""The lesson library: searching published lessons and spotting notes that were "discussed
before". PostgreSQL does the language work (stemming, stop words, ranking); other databases get
a plain word-overlap equivalent so `make run` on SQLite behaves the same way."""

import re
from collections.abc import Iterable

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Func, Q, TextField

from .models import Contribution, Lesson, LessonQuerySet

# A note and a lesson share at least this many meaningful words to count as "discussed before".
MIN_SHARED_WORDS = 2

_STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "after",
        "again",
        "all",
        "also",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "for",
        "from",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "just",
        "me",
        "more",
        "most",
        "my",
        "no",
        "not",
        "of",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
    ]
)


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


class _Lexemes(Func):
    """PostgreSQL: the stemmed, stop-word-free words of a text, as an array."""

    template = "tsvector_to_array(to_tsvector('english'::regconfig, COALESCE(%(expressions)s, '')))"
    output_field = TextField()


def _plain_words(text: str) -> set[str]:
    words = re.findall(r"[a-z0-9']+", text.lower())
    return {_stem(w) for w in words if len(w) >= 3 and w not in _STOP_WORDS}


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def match_notes(notes: Iterable[Contribution]) -> dict[int, Lesson]:
    """The best-matching published lesson for each note that has one, in two queries."""
    notes = list(notes)
    if not notes:
        return {}
    lessons = Lesson.objects.published()
    if _is_postgres():
        lesson_words = {
            lesson.pk: (lesson, set(lesson.words or []))
            for lesson in lessons.annotate(words=_Lexemes(F("statement_public")))
        }
        note_words = dict(
            Contribution.objects.filter(pk__in=[n.pk for n in notes])
            .annotate(words=_Lexemes(F("text")))
            .values_list("pk", "words")
        )
        note_words = {pk: set(words or []) for pk, words in note_words.items()}
    else:
        lesson_words = {
            lesson.pk: (lesson, _plain_words(lesson.statement_public)) for lesson in lessons
        }
        note_words = {note.pk: _plain_words(note.text) for note in notes}
    matches: dict[int, Lesson] = {}
    for note in notes:
        words = note_words.get(note.pk, set())
        best, best_shared = None, MIN_SHARED_WORDS - 1
        for lesson, lesson_set in lesson_words.values():
            shared = len(words & lesson_set)
            if shared > best_shared:
                best, best_shared = lesson, shared
        if best is not None:
            matches[note.pk] = best
    return matches


def search_lessons(queryset: LessonQuerySet, query: str) -> LessonQuerySet:
    """Full-text search on PostgreSQL (ranked); every word must appear elsewhere."""
    query = query.replace("\x00", "").strip()
    if not query:
        return queryset
    if _is_postgres():
        # SearchVector coalesces NULLs (a lesson without a cause) itself.
        vector = SearchVector("statement_public", config="english", weight="A") + SearchVector(
            "cause__name", config="english", weight="B"
        )
        search = SearchQuery(query, config="english", search_type="websearch")
        return (
            queryset.annotate(document=vector, rank=SearchRank(vector, search))
            .filter(document=search)
            .order_by("-rank", "-published_at")
        )
    condition = Q()
    for word in query.split():
        condition &= Q(statement_public__icontains=word) | Q(cause__name__icontains=word)
    return queryset.filter(condition)
