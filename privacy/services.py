"""Everything held about one client: export it (subject access) or erase its personal data.

Erasing keeps what the dashboard counts (dates, fees, reasons, statuses, ratings) and removes what
identifies or quotes a person: the client's name, interviewees' names, contact details and every
verbatim word. The client's name is also scrubbed from any text in the database that mentions it
(review titles, notes, lessons, actions, audit details, admin history), and so are sentences of
its words copied elsewhere (an action born from its feedback).

Text is matched as a reader sees it, the same on PostgreSQL and SQLite: JSON decoded (SQLite
stores non-ASCII as \\u escapes), Unicode case folding (SQLite's LIKE folds ASCII only), any
space or dash alike. The database only narrows the rows to read (by the ASCII words of each
phrase, which both match case-insensitively); Python decides. Copies outside the tables go too:
unread messages in sessions, dashboard snapshots (dropped and computed again) and every rendered
copy in every process (accounts.caching).
"""

import base64
import dataclasses
import json
import re
import unicodedata
from collections.abc import Iterable
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core import serializers
from django.core.cache import caches
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Cast
from django.utils import timezone

from accounts import attachments, audit, caching
from accounts.models import AuditEvent
from actions.models import Action, ActionEvent
from feedback.models import (
    Client,
    ExitInterview,
    FeeChange,
    FeedbackComment,
    FeedbackLinkEmail,
    FeedbackRequest,
    FeedbackResponse,
    SaveAttempt,
)
from retrospectives.models import Contribution, Lesson, Review

# Apps whose text is scrubbed of the client's name; admin keeps object names in its history.
SCRUBBED_APPS = {
    "accounts",
    "feedback",
    "retrospectives",
    "actions",
    "dashboard",
    "admin",
    "webhooks",
}
# Reference data and people of the firm: a client's name inside them is not about the client.
NOT_SCRUBBED = {
    "accounts.user",
    "accounts.office",
    "feedback.client",
    "feedback.serviceline",
    "feedback.lossreason",
}

# Copies computed from the rest: deleted rather than rewritten, and computed again when needed.
DERIVED = {"dashboard.snapshot"}

INTERVIEW_TEXT = [
    "interviewee_name",
    "interviewee_role",
    "client_words",
    "team_hypothesis",
    "did_well",
    "do_better",
]
CLIENT_CONTACT = ["contact_name", "contact_email"]
RESPONSE_TEXT = ["doing_right", "do_better", "contact_name", "contact_email", "reply_text"]
# What the client said or was told in its own words, as it may have been copied elsewhere.
INTERVIEW_WORDS = ["client_words", "team_hypothesis", "did_well", "do_better"]
RESPONSE_WORDS = ["doing_right", "do_better", "reply_text"]
# What the owner wrote down about talking to the client during a save attempt.
SAVE_TEXT = ["first_contact_note", "outcome_note"]
QUOTE_MIN_WORDS = 4
LEGAL_FORM = re.compile(
    r"[\s,]*(?:&\s*co\.?|and\s+co\.?|(?<!\w)(?:co\.?|llc|l\.l\.c\.|llp|ltd\.?|limited|inc\.?|"
    r"incorporated|corp\.?|corporation|company|holdings|group|partners|plc|gmbh|kg|ag|a/s|ab|oy|"
    r"s\.?a\.?|sarl|s\.?r\.?l\.?|s\.?p\.?a\.?|b\.?v\.?|n\.?v\.?|ооо|оао|зао|пао|ао))$",
    re.IGNORECASE,
)
ERASED_WORDS = "[the client's words, erased]"
# Apostrophes and primes that stand for the same character in a name (O'Brien, O’Brien).
QUOTES = "\u2018\u2019\u02bc\u2032\uff07"


def erased_name(client: Client) -> str:
    return f"Erased client #{client.pk}"


# How a record that belongs to one client names it. A response from a client's own feedback link
# may leave its client empty and name it through the link.
CLIENT_PATHS = {
    ExitInterview: ("client",),
    FeedbackResponse: ("client", "request__client"),
}


def _of_client(client: Client, model: type[models.Model], prefix: str = "") -> Q:
    """The rows whose `prefix` record (itself when empty) belongs to `client`."""
    return Q(*(Q(**{f"{prefix}{path}": client}) for path in CLIENT_PATHS[model]), _connector=Q.OR)


def _interviews(client: Client):
    return ExitInterview.objects.filter(_of_client(client, ExitInterview)).order_by("pk")


def _responses(client: Client):
    return FeedbackResponse.objects.filter(_of_client(client, FeedbackResponse)).order_by("pk")


def _reviews(client: Client):
    return (
        Review.objects.filter(Q(clients=client) | Q(exit_interviews__client=client))
        .distinct()
        .order_by("pk")
    )


def _actions(client: Client):
    """Actions about the client, or that came from a record of the client's (Action.SOURCES)."""
    about = Q(client=client)
    for source in Action.SOURCES:
        model = Action._meta.get_field(source.field).related_model
        if model in CLIENT_PATHS:
            about |= _of_client(client, model, prefix=f"{source.field}__")
    return Action.objects.filter(about).distinct().order_by("pk")


def _audit_events(objects: Iterable[models.Model]):
    about = Q(pk__in=[])
    for obj in objects:
        about |= Q(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    return AuditEvent.objects.filter(about).order_by("at", "pk")


def short_name(name: str) -> str:
    """The name without its legal form ("Acme Widgets Holdings LLC" is "Acme Widgets"), as
    people write it in notes; the whole name when that would leave a single word, which may
    well be an ordinary word or another client's name."""
    short = name.strip()
    while (shorter := LEGAL_FORM.sub("", short).strip()) != short:
        short = shorter
    return short if len(short.split()) >= 2 else name


def identifying_terms(client: Client) -> list[str]:
    """Strings that identify the client or its people in free text, longest first. A lone first
    name is left out: scrubbing every "Dana" in the firm's notes would hit other people."""
    people = {i.interviewee_name for i in _interviews(client)}
    people |= {r.contact_name for r in _responses(client)} | {client.contact_name}
    emails = {r.contact_email for r in _responses(client)} | {client.contact_email}
    emails |= set(FeedbackLinkEmail.objects.filter(client=client).values_list("to", flat=True))
    names = {client.name, short_name(client.name)}
    terms = {*names, *emails, *(p for p in people if " " in p.strip())}
    return sorted({t.strip() for t in terms if len(t.strip()) >= 3}, key=len, reverse=True)


def _fold_char(char: str) -> str:
    if char.isspace():
        return " "
    category = unicodedata.category(char)
    if category == "Cf":  # zero-width spaces and joiners, soft hyphens: invisible
        return ""
    if category == "Pd":  # every dash reads as a hyphen
        return "-"
    if char in QUOTES:
        return "'"
    return unicodedata.normalize("NFKC", char).casefold()


def _folded(text: str) -> tuple[str, str, list[int]]:
    """The text in NFC, its folded form (compatibility forms, Unicode case folding, any space
    as a space, any dash as a hyphen, invisible characters dropped), and for each folded
    character the position in the NFC text it came from."""
    text = unicodedata.normalize("NFC", text)
    folded, origin = [], []
    for position, char in enumerate(text):
        for each in _fold_char(char):
            folded.append(each)
            origin.append(position)
    return text, "".join(folded), origin


def fold(text: str) -> str:
    return _folded(text)[1]


def _phrase_pattern(phrases: Iterable[str]) -> re.Pattern | None:
    """Whole-word matches of any phrase in folded text, longest first; any run of spaces
    matches any other."""
    alternatives = []
    for phrase in sorted({fold(p).strip() for p in phrases}, key=len, reverse=True):
        words = phrase.split()
        if words:
            alternatives.append(" +".join(re.escape(word) for word in words))
    if not alternatives:
        return None
    # Whole words only, so that erasing "Acme" leaves "Acmeville" alone.
    return re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})(?!\w)")


@dataclasses.dataclass
class Rewrite:
    """What to replace in any text: each rule is a pattern over folded text and its
    replacement, applied in order (the client's quoted words first, then names)."""

    rules: list[tuple[re.Pattern, str]]

    def mentions(self, value) -> bool:
        return self.apply(value) != value

    def apply(self, value):
        if isinstance(value, str):
            return self._text(value)
        if isinstance(value, list):
            return [self.apply(item) for item in value]
        if isinstance(value, dict):
            return {self.apply(k): self.apply(v) for k, v in value.items()}
        return value

    def _text(self, text: str) -> str:
        for pattern, replacement in self.rules:
            nfc, folded, origin = _folded(text)
            spans = [(origin[m.start()], origin[m.end() - 1] + 1) for m in pattern.finditer(folded)]
            if not spans:
                continue
            for start, end in reversed(spans):
                nfc = nfc[:start] + replacement + nfc[end:]
            text = nfc
        return self._json_inside(text)

    def _json_inside(self, text: str) -> str:
        """Text that holds JSON (admin history, stored messages) may escape what it quotes as
        \\uXXXX: read it, and write it back the same way if anything in it changed."""
        if text.lstrip()[:1] not in ("{", "[", '"'):
            return text
        try:
            data = json.loads(text)
        except ValueError:
            return text
        changed = self.apply(data)
        if changed == data:
            return text
        return json.dumps(changed, ensure_ascii="\\u" in text)


def _needles(phrase: str, *, every_word: bool) -> set[str] | None:
    """What the database looks for to find rows that may hold the phrase: runs of ASCII letters
    and digits, which it matches case-insensitively on PostgreSQL and SQLite alike, in text and
    in JSON (which never escapes them). Every run for a name, so that a name typed with an
    invisible character inside one word is still found; the longest for a quoted sentence.
    None when there is no run of three: the phrase is in another script."""
    runs = [
        r for r in re.findall(r"[A-Za-z0-9]+", unicodedata.normalize("NFKC", phrase)) if len(r) >= 3
    ]
    if not runs:
        return None
    return set(runs) if every_word else {max(runs, key=len)}


def _candidates(
    model: type[models.Model], *, terms: list[str], quotes: list[str] = ()
) -> models.QuerySet:
    """The rows that may name or quote the client; Rewrite decides. Every row when a phrase has
    nothing the database can look for."""
    text_fields, json_fields = _text_fields(model)
    queryset = model._default_manager.all()
    needles: set[str] = set()
    for phrase, every_word in [*((t, True) for t in terms), *((q, False) for q in quotes)]:
        found = _needles(phrase, every_word=every_word)
        if found is None:
            return queryset
        needles |= found
    mention = Q(pk__in=[])
    for field in text_fields:
        for needle in needles:
            mention |= Q(**{f"{field.name}__icontains": needle})
    for field in json_fields:
        alias = f"_{field.name}_text"
        queryset = queryset.alias(**{alias: Cast(field.name, models.TextField())})
        for needle in needles:
            mention |= Q(**{f"{alias}__icontains": needle})
    return queryset.filter(mention)


def _text_fields(model) -> tuple[list[models.Field], list[models.Field]]:
    text = [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField) and not f.choices
    ]
    json = [f for f in model._meta.concrete_fields if isinstance(f, models.JSONField)]
    return text, json


def _mentioning(objects: models.QuerySet, terms: list[str]) -> list[models.Model]:
    pattern = _phrase_pattern(terms)
    if pattern is None:
        return []
    rewrite = Rewrite([(pattern, "")])
    fields = [f.attname for group in _text_fields(objects.model) for f in group]
    found = (
        _candidates(objects.model, terms=terms).filter(pk__in=objects.values("pk")).order_by("pk")
    )
    return [obj for obj in found if any(rewrite.mentions(getattr(obj, name)) for name in fields)]


def _files(interviews, actions) -> list:
    """The files attached to the client's interviews and actions."""
    return [
        *attachments.of_all(interviews).order_by("pk"),
        *attachments.of_all(actions).order_by("pk"),
    ]


def _read(file) -> bytes:
    with file.file.open("rb") as stream:
        return stream.read()


def export_client(*, client: Client) -> dict:
    """Every row held about the client, as Django's serializer writes them."""
    interviews = list(_interviews(client))
    requests = list(FeedbackRequest.objects.filter(client=client).order_by("pk"))
    responses = list(_responses(client))
    actions = list(_actions(client))
    reviews = list(_reviews(client))
    saves = list(SaveAttempt.objects.filter(client=client).order_by("pk"))
    link_emails = list(FeedbackLinkEmail.objects.filter(client=client).order_by("pk"))
    files = _files(interviews, actions)
    terms = identifying_terms(client)
    notes = _mentioning(Contribution.objects.all(), terms)
    lessons = _mentioning(Lesson.objects.all(), terms)

    def rows(objects):
        return serializers.serialize("python", objects)

    return {
        "client": rows([client])[0],
        "exit_interviews": rows(interviews),
        "feedback_requests": rows(requests),
        "feedback_link_emails": rows(link_emails),
        "files": [
            {**rows([file])[0], "content_base64": base64.b64encode(_read(file)).decode()}
            for file in files
        ],
        "feedback_responses": rows(responses),
        "feedback_comments": rows(
            FeedbackComment.objects.filter(response__in=responses).order_by("at", "pk")
        ),
        "reviews": rows(reviews),
        "review_notes_mentioning_client": rows(notes),
        "lessons_mentioning_client": rows(lessons),
        "actions": rows(actions),
        "save_attempts": rows(saves),
        "fee_changes": rows(FeeChange.objects.filter(client=client).order_by("changed_on", "pk")),
        "audit_events": rows(
            _audit_events(
                [client, *interviews, *requests, *responses, *actions, *saves, *link_emails, *files]
            )
        ),
    }


def quoted_words(client: Client, *, min_words: int = QUOTE_MIN_WORDS) -> list[str]:
    """What the client and its people said, whole and sentence by sentence, as it may have been
    copied elsewhere (an action born from a feedback response, a note quoting the interview).
    Anywhere in the firm's text, a sentence of fewer than QUOTE_MIN_WORDS words is too common
    to be the client's own; in the client's own actions, any copy is."""
    saves = SaveAttempt.objects.filter(client=client)
    texts = [
        *(getattr(i, name) for i in _interviews(client) for name in INTERVIEW_WORDS),
        *(getattr(r, name) for r in _responses(client) for name in RESPONSE_WORDS),
        *(getattr(s, name) for s in saves for name in SAVE_TEXT),
    ]
    quotes = set()
    for text in texts:
        for part in [text, *re.split(r"(?<=[.!?])\s+|\n+", text)]:
            part = part.strip()
            if len(part.split()) >= min_words:
                quotes.add(part)
    return sorted(quotes, key=len, reverse=True)


def _rewrite_for(client: Client) -> tuple[Rewrite, list[str], list[str]]:
    """How to rewrite any text that names or quotes the client, and the names and quotes it
    looks for."""
    terms, quotes = identifying_terms(client), quoted_words(client)
    rules = []
    if (pattern := _phrase_pattern(quotes)) is not None:
        rules.append((pattern, ERASED_WORDS))
    if (pattern := _phrase_pattern(terms)) is not None:
        rules.append((pattern, erased_name(client)))
    return Rewrite(rules), terms, quotes


def _scrub_everywhere(rewrite: Rewrite, terms: list[str], quotes: list[str]) -> int:
    """Rewrite every text and JSON field of every app model that may name or quote the client;
    a derived copy (a dashboard snapshot) is deleted instead, to be computed again. Returns the
    number of rows changed or deleted."""
    if not rewrite.rules:
        return 0
    changed = 0
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.app_label not in SCRUBBED_APPS or label in NOT_SCRUBBED:
            continue
        text_fields, json_fields = _text_fields(model)
        fields = [*text_fields, *json_fields]
        if not fields:
            continue
        dropped = []
        for obj in _candidates(model, terms=terms, quotes=quotes).iterator(chunk_size=500):
            updated = []
            for field in fields:
                old = getattr(obj, field.attname)
                new = rewrite.apply(old)
                if new == old:
                    continue
                if isinstance(new, str) and field.max_length:
                    new = new[: field.max_length]
                setattr(obj, field.attname, new)
                updated.append(field.name)
            if not updated:
                continue
            if label in DERIVED:
                dropped.append(obj.pk)
            else:
                obj.save(update_fields=updated)
            changed += 1
        model._default_manager.filter(pk__in=dropped).delete()
    return changed


def _scrub_own_actions(client: Client, own_words: list[str]) -> int:
    """The client's own actions (and their history) may hold a short answer of the client's,
    copied whole: "Reply faster." Returns the number of rows changed."""
    pattern = _phrase_pattern(own_words)
    if pattern is None:
        return 0
    rewrite = Rewrite([(pattern, ERASED_WORDS)])
    actions = list(_actions(client))
    events = ActionEvent.objects.filter(action__in=actions)
    changed = 0
    for obj in [*actions, *events]:
        fields = [f for group in _text_fields(type(obj)) for f in group]
        updated = []
        for field in fields:
            old = getattr(obj, field.attname)
            if (new := rewrite.apply(old)) != old:
                setattr(obj, field.attname, new[: field.max_length] if field.max_length else new)
                updated.append(field.name)
        if updated:
            obj.save(update_fields=updated)
            changed += 1
    return changed


def _scrub_sessions(rewrite: Rewrite) -> int:
    """Sessions store what they hold signed and compressed (messages not yet shown, among
    them): drop the expired ones, and from the others every value that names or quotes the
    client. Returns the number of sessions changed."""
    engine = import_module(settings.SESSION_ENGINE)
    if not issubclass(engine.SessionStore, DatabaseSessionStore):
        return 0
    store_class = engine.SessionStore
    model = store_class.get_model_class()
    model.objects.filter(expire_date__lte=timezone.now()).delete()
    changed = 0
    for session in model.objects.all().iterator(chunk_size=500):
        store = store_class(session_key=session.session_key)
        data = store.decode(session.session_data)
        kept = {key: value for key, value in data.items() if not rewrite.mentions(value)}
        if kept == data:
            continue
        model.objects.filter(pk=session.pk).update(session_data=store.encode(kept))
        if hasattr(store, "cache_key"):  # cached_db keeps a copy in the cache too
            caches[settings.SESSION_CACHE_ALIAS].delete(store.cache_key)
        changed += 1
    return changed


def _forget_cached_copies() -> None:
    """Rendered rows, panels and goals are kept under keys that name what they show: those
    that showed the client are never served again, but they still hold its name."""
    caching.forget_everything()


@transaction.atomic
def erase_client(*, client: Client) -> dict[str, int]:
    """Remove or anonymise the client's personal data; keep its anonymous aggregates."""
    client = Client.objects.select_for_update().get(pk=client.pk)
    # Read before the verbatim words are cleared below.
    rewrite, terms, quotes = _rewrite_for(client)
    own_words = quoted_words(client, min_words=1)
    counts = {
        "exit_interviews": _interviews(client).update(
            **dict.fromkeys(INTERVIEW_TEXT, ""), updated_at=timezone.now()
        ),
        "feedback_responses": _responses(client).update(
            **dict.fromkeys(RESPONSE_TEXT, ""), contact_consent=False
        ),
        "save_attempts": SaveAttempt.objects.filter(client=client).update(
            **dict.fromkeys(SAVE_TEXT, "")
        ),
        "feedback_links_revoked": FeedbackRequest.objects.filter(
            client=client, revoked_at__isnull=True
        ).update(revoked_at=timezone.now()),
        # Who the link was sent to, and the message that greeted them by name.
        "feedback_link_emails": FeedbackLinkEmail.objects.filter(client=client).update(
            to="", subject="", body=""
        ),
    }
    # Files may hold anything about the client: they go whole, from storage too.
    counts["files_deleted"] = sum(
        attachments.delete_files(attachments.of_all(objects))
        for objects in (list(_interviews(client)), list(_actions(client)))
    )
    client.name = erased_name(client)
    client.contact_name = client.contact_email = ""
    client.save(update_fields=["name", *CLIENT_CONTACT, "updated_at"])
    counts["rows_scrubbed"] = _scrub_everywhere(rewrite, terms, quotes)
    counts["rows_scrubbed"] += _scrub_own_actions(client, own_words)
    counts["sessions_scrubbed"] = _scrub_sessions(rewrite)
    transaction.on_commit(_forget_cached_copies)
    audit.record(
        actor=None,
        verb=AuditEvent.Verb.DELETE,
        obj=client,
        detail={"erased": "personal data", **counts},
    )
    return counts
