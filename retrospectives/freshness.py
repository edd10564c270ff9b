"""Live screens (presenter, console, phones) answer 304 until their review's version moves. The
models those screens show announce their own changes here, on save and delete, whoever made
them: a service, Django admin (a partner hiding a note), a data fix in a shell. No workflow has
to remember to bump the version; only a bulk `QuerySet.update()`, which skips signals, calls
`touch` itself.

Which review a changed row shows on is decided once, in SHOWN_ON. A row moved from one review
to another (possible in admin) refreshes both.

Once the change commits, the new versions are pushed to the open screens (`live`), which then
refetch at once instead of waiting for their next poll. A rolled-back change pushes nothing."""

from django.db import transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from feedback.models import LossReason

from . import live
from .models import (
    BreakoutGroup,
    Contribution,
    Lesson,
    Participant,
    ProcessStep,
    Review,
    Vote,
    WhyProposal,
    WhyStep,
)

# Each model the screens show, and the path from one of its rows to its review's id.
SHOWN_ON = {
    Review: "pk",
    Participant: "review_id",
    Contribution: "review_id",
    Vote: "review_id",
    BreakoutGroup: "review_id",
    ProcessStep: "review_id",
    Lesson: "review_id",
    WhyStep: "cause__review_id",
    WhyProposal: "review_id",
}
# Shown on every live console whatever their review: published lessons ("discussed before")
# and the cause taxonomy (cause names and the cause menu).
SHOWN_ON_EVERY_LIVE_REVIEW = (Lesson, LossReason)


def touch(*review_ids: int | None) -> None:
    """Bump these reviews' versions in the database (never from a stale copy in memory)."""
    ids = {pk for pk in review_ids if pk is not None}
    if ids:
        Review.objects.filter(pk__in=ids).update(version=F("version") + 1)
        _push_on_commit(Review.objects.filter(pk__in=ids))


def touch_live_reviews() -> None:
    live_reviews = Review.objects.filter(status=Review.Status.LIVE)
    live_reviews.update(version=F("version") + 1)
    _push_on_commit(live_reviews)


def _push_on_commit(reviews) -> None:
    def push():
        live.publish(dict(reviews.values_list("pk", "version")))

    # robust: a push that fails must not turn a saved change into an error page.
    transaction.on_commit(push, robust=True)


def _review_ids(instance) -> set[int]:
    path = SHOWN_ON[type(instance)]
    if path == "pk":
        return {instance.pk}
    if "__" not in path:
        return {getattr(instance, path)}
    # One hop through a foreign key, read from the related row (it outlives this one's delete).
    relation, _, rest = path.partition("__")
    field = instance._meta.get_field(relation)
    related_id = getattr(instance, field.attname)
    return set(field.related_model._base_manager.filter(pk=related_id).values_list(rest, flat=True))


def _remember_previous_review(sender, instance, raw=False, update_fields=None, **kwargs):
    """Before a row is saved over, note the review it showed on, in case it moves."""
    if raw or instance.pk is None or sender is Review:
        return
    relation = SHOWN_ON[sender].split("__")[0].removesuffix("_id")
    if update_fields is not None and relation not in update_fields:
        return
    path = SHOWN_ON[sender]
    instance._shown_on_before = set(
        sender._base_manager.filter(pk=instance.pk).values_list(path, flat=True)
    )


def _announce(sender, instance, raw=False, **kwargs):
    if raw:
        return
    before = getattr(instance, "_shown_on_before", set())
    instance._shown_on_before = set()
    touch(*_review_ids(instance), *before)
    if sender is Review:
        # The copy in memory now holds an old version: a later save of it keeps the database's.
        instance.version = F("version")


def _announce_everywhere(sender, instance, raw=False, **kwargs):
    if not raw:
        touch_live_reviews()


def _announce_group_members(sender, instance, action, reverse, pk_set, **kwargs):
    """Who sits in which breakout group, changed from either side of the relation."""
    if not action.startswith("post_"):
        return
    if isinstance(instance, BreakoutGroup | Participant):
        touch(instance.review_id)


def connect() -> None:
    """Called once from the app's ready()."""
    uid = "retrospectives.freshness"
    for model in SHOWN_ON:
        pre_save.connect(_remember_previous_review, sender=model, dispatch_uid=f"{uid}.pre")
        post_save.connect(_announce, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_announce, sender=model, dispatch_uid=f"{uid}.delete")
    for model in SHOWN_ON_EVERY_LIVE_REVIEW:
        post_save.connect(_announce_everywhere, sender=model, dispatch_uid=f"{uid}.all.save")
        post_delete.connect(_announce_everywhere, sender=model, dispatch_uid=f"{uid}.all.delete")
    m2m_changed.connect(
        _announce_group_members,
        sender=BreakoutGroup.members.through,
        dispatch_uid=f"{uid}.members",
    )
