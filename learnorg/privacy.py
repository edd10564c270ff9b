"""Everything held about one client: export it (subject access) or erase its personal data.

Erasing keeps what the dashboard counts (dates, fees, reasons, statuses, ratings) and removes what
identifies or quotes a person: the client's name, interviewees' names, contact details and every
verbatim word. The client's name is also scrubbed from any text in the database that mentions it
(review titles, notes, lessons, actions, audit details, admin history).
"""

import re
from collections.abc import Iterable

from django.apps import apps
from django.core import serializers
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Cast
from django.utils import timezone

from accounts import audit
from accounts.models import AuditEvent
from actions.models import Action
from feedback.models import Client, ExitInterview, FeedbackRequest, FeedbackResponse, SaveAttempt
from retrospectives.models import Contribution, Lesson, Review

# Apps whose text is scrubbed of the client's name; admin keeps object names in its history.
SCRUBBED_APPS = {"accounts", "feedback", "retrospectives", "actions", "dashboard", "admin"}
# Reference data and people of the firm: a client's name inside them is not about the client.
NOT_SCRUBBED = {
    "accounts.user",
    "accounts.office",
    "feedback.client",
    "feedback.serviceline",
    "feedback.lossreason",
}

INTERVIEW_TEXT = [
    "interviewee_name",
    "interviewee_role",
    "client_words",
    "team_hypothesis",
    "did_well",
    "do_better",
]
RESPONSE_TEXT = ["doing_right", "do_better", "contact_name", "contact_email", "reply_text"]
# What the owner wrote down about talking to the client during a save attempt.
SAVE_TEXT = ["first_contact_note", "outcome_note"]


def erased_name(client: Client) -> str:
    return f"Erased client #{client.pk}"


def _interviews(client: Client):
    return ExitInterview.objects.filter(client=client).order_by("pk")


def _responses(client: Client):
    return FeedbackResponse.objects.filter(Q(client=client) | Q(request__client=client)).order_by(
        "pk"
    )


def _reviews(client: Client):
    return (
        Review.objects.filter(Q(clients=client) | Q(exit_interviews__client=client))
        .distinct()
        .order_by("pk")
    )


def _actions(client: Client):
    return (
        Action.objects.filter(
            Q(client=client)
            | Q(source_interview__client=client)
            | Q(source_feedback__client=client)
            | Q(source_feedback__request__client=client)
        )
        .distinct()
        .order_by("pk")
    )


def _audit_events(objects: Iterable[models.Model]):
    about = Q(pk__in=[])
    for obj in objects:
        about |= Q(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    return AuditEvent.objects.filter(about).order_by("at", "pk")


def identifying_terms(client: Client) -> list[str]:
    """Strings that identify the client or its people in free text, longest first. A lone first
    name is left out: scrubbing every "Dana" in the firm's notes would hit other people."""
    people = {i.interviewee_name for i in _interviews(client)}
    people |= {r.contact_name for r in _responses(client)}
    emails = {r.contact_email for r in _responses(client)}
    terms = {client.name, *emails, *(p for p in people if " " in p.strip())}
    return sorted({t.strip() for t in terms if len(t.strip()) >= 3}, key=len, reverse=True)


def _mentions(model: type[models.Model], term: str) -> models.QuerySet:
    text_fields, json_fields = _text_fields(model)
    mention = Q(pk__in=[])
    queryset = model._default_manager.all()
    for field in text_fields:
        mention |= Q(**{f"{field.name}__icontains": term})
    for field in json_fields:
        alias = f"_{field.name}_text"
        queryset = queryset.alias(**{alias: Cast(field.name, models.TextField())})
        mention |= Q(**{f"{alias}__icontains": term})
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
    found: dict[int, models.Model] = {}
    for term in terms:
        for obj in _mentions(objects.model, term).filter(pk__in=objects.values("pk")):
            found[obj.pk] = obj
    return [found[pk] for pk in sorted(found)]


def export(client: Client) -> dict:
    """Every row held about the client, as Django's serializer writes them."""
    interviews = list(_interviews(client))
    requests = list(FeedbackRequest.objects.filter(client=client).order_by("pk"))
    responses = list(_responses(client))
    actions = list(_actions(client))
    reviews = list(_reviews(client))
    saves = list(SaveAttempt.objects.filter(client=client).order_by("pk"))
    terms = identifying_terms(client)
    notes = _mentioning(Contribution.objects.all(), terms)
    lessons = _mentioning(Lesson.objects.all(), terms)

    def rows(objects):
        return serializers.serialize("python", objects)

    return {
        "client": rows([client])[0],
        "exit_interviews": rows(interviews),
        "feedback_requests": rows(requests),
        "feedback_responses": rows(responses),
        "reviews": rows(reviews),
        "review_notes_mentioning_client": rows(notes),
        "lessons_mentioning_client": rows(lessons),
        "actions": rows(actions),
        "save_attempts": rows(saves),
        "audit_events": rows(
            _audit_events([client, *interviews, *requests, *responses, *actions, *saves])
        ),
    }


def _replace(value, pattern: re.Pattern, replacement: str):
    if isinstance(value, str):
        return pattern.sub(replacement, value)
    if isinstance(value, list):
        return [_replace(item, pattern, replacement) for item in value]
    if isinstance(value, dict):
        return {k: _replace(v, pattern, replacement) for k, v in value.items()}
    return value


def _scrub_everywhere(terms: list[str], replacement: str) -> int:
    """Replace each term, case-insensitively, in every text and JSON field of every app model
    that may quote it. Returns the number of rows changed."""
    if not terms:
        return 0
    # Whole words only, so that erasing "Acme" leaves "Acmeville" alone.
    words = "|".join(re.escape(t) for t in terms)
    pattern = re.compile(rf"(?<!\w)(?:{words})(?!\w)", re.IGNORECASE)
    changed = 0
    for model in apps.get_models():
        if model._meta.app_label not in SCRUBBED_APPS or model._meta.label_lower in NOT_SCRUBBED:
            continue
        text_fields, json_fields = _text_fields(model)
        if not text_fields and not json_fields:
            continue
        seen: set = set()
        for term in terms:
            for obj in _mentions(model, term).exclude(pk__in=seen):
                seen.add(obj.pk)
                for field in [*text_fields, *json_fields]:
                    new = _replace(getattr(obj, field.attname), pattern, replacement)
                    if isinstance(new, str) and field.max_length:
                        new = new[: field.max_length]
                    setattr(obj, field.attname, new)
                obj.save(update_fields=[f.name for f in [*text_fields, *json_fields]])
                changed += 1
    return changed


@transaction.atomic
def erase(client: Client) -> dict[str, int]:
    """Remove or anonymise the client's personal data; keep its anonymous aggregates."""
    client = Client.objects.select_for_update().get(pk=client.pk)
    terms = identifying_terms(client)
    replacement = erased_name(client)
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
    }
    client.name = replacement
    client.save(update_fields=["name", "updated_at"])
    counts["rows_scrubbed"] = _scrub_everywhere(terms, replacement)
    audit.record(
        actor=None,
        verb=AuditEvent.Verb.DELETE,
        obj=client,
        detail={"erased": "personal data", **counts},
    )
    return counts
