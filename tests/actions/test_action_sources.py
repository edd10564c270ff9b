"""Where an action came from is described once, in Action.SOURCES: creating, rolling out,
filtering, exporting, the action page and the admin all read it, so a new kind of source is
added in one place and none of them forgets it."""

import csv
import datetime as dt
import io

import pytest
from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from actions import services
from actions.forms import ActionFilterForm
from actions.models import Action
from feedback.models import Suggestion
from tests.factories import (
    ActionFactory,
    ClientFactory,
    ContributionFactory,
    ExitInterviewFactory,
    FeedbackResponseFactory,
    LearningCheckFactory,
    LessonFactory,
    ReviewFactory,
)

pytestmark = pytest.mark.django_db

# One way to make a record of each kind an action can come from. A new kind of source needs a
# line here: test_every_kind_of_source_has_a_maker fails until it has one.
MAKERS = {
    "review": lambda: ReviewFactory(title="Harbor Freight loss review"),
    "contribution": lambda: ContributionFactory(text="The escalation path was unclear."),
    "interview": ExitInterviewFactory,
    "feedback": FeedbackResponseFactory,
    "lesson": LessonFactory,
    "learning_check": LearningCheckFactory,
    "suggestion": lambda: Suggestion.objects.create(
        text="Name a backup partner for every key client", submitted_on=timezone.localdate()
    ),
}


def _with_every_source(**fields) -> Action:
    return ActionFactory(
        **{source.field: MAKERS[source.key]() for source in Action.SOURCES}, **fields
    )


def test_every_kind_of_source_has_a_maker():
    assert set(MAKERS) == {source.key for source in Action.SOURCES}


def test_every_foreign_key_to_another_app_is_an_origin():
    """An action refers to users and to itself; everything else it points at says where it came
    from, so it must be listed in Action.SOURCES (or be the client or cause)."""
    pointers = {
        field.name
        for field in Action._meta.get_fields()
        if isinstance(field, models.ForeignKey)
        and field.related_model not in (User, Action)
        and not field.auto_created
    }
    assert pointers == set(Action.ORIGIN_FIELDS)
    assert len({s.key for s in Action.SOURCES}) == len(Action.SOURCES)


def test_create_action_creates_an_action_from_each_kind_of_source(alice):
    for source in Action.SOURCES:
        record = MAKERS[source.key]()
        action = services.create_action(
            title="From a source",
            owner=alice,
            due_on=timezone.localdate(),
            created_by=alice,
            **{source.field: record},
        )
        assert [(s, obj) for s, obj in action.sources()] == [(source, record)]


def test_create_action_refuses_an_origin_it_does_not_know(alice):
    with pytest.raises(TypeError, match="source_memo"):
        services.create_action(
            title="From a memo",
            owner=alice,
            due_on=timezone.localdate(),
            created_by=alice,
            source_memo=1,
        )


def test_a_rollout_keeps_every_source_the_pilot_came_from(alice, pat, time_machine):
    client = ClientFactory()
    pilot = _with_every_source(owner=alice, client=client)
    services.mark_pilot(
        action=pilot,
        by=alice,
        hypothesis="A backup partner cuts response time",
        success_measure="9 of 10 answered in a day",
        review_on=timezone.localdate(),
    )
    services.record_pilot_result(action=pilot, by=alice, result="worked", learning="It did.")
    rollout = services.rollout_pilot(pilot=pilot, by=pat)
    for field in Action.ORIGIN_FIELDS:
        assert getattr(rollout, f"{field}_id") == getattr(pilot, f"{field}_id"), field
    assert rollout.client == client


@pytest.mark.parametrize("key", [source.key for source in Action.SOURCES])
def test_the_list_filters_by_each_kind_of_source(client, pat, alice, key):
    source = Action.source_named(key)
    mine = ActionFactory(owner=alice, title="Came from it", **{source.field: MAKERS[key]()})
    ActionFactory(owner=alice, title="Raised directly")
    client.force_login(pat)
    page = client.get(reverse("actions:action_list"), {"source": key}).content.decode()
    assert mine.title in page and "Raised directly" not in page
    page = client.get(reverse("actions:action_list"), {"source": "none"}).content.decode()
    assert mine.title not in page and "Raised directly" in page


def test_the_filter_offers_every_kind_of_source():
    keys = [value for value, _ in ActionFilterForm.base_fields["source"].choices]
    assert keys == ["", *(s.key for s in Action.SOURCES), "none"]


@pytest.mark.parametrize("key", [source.key for source in Action.SOURCES])
def test_the_export_names_each_kind_of_source(client, pat, alice, key):
    source = Action.source_named(key)
    ActionFactory(owner=alice, **{source.field: MAKERS[key]()})
    client.force_login(pat)
    response = client.get(reverse("actions:action_export"))
    (row,) = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert row["source"] == source.label


def test_the_action_page_shows_every_source_with_its_link(client, pat):
    action = _with_every_source(owner=pat)
    client.force_login(pat)
    page = client.get(action.get_absolute_url()).content.decode()
    for source, record in action.sources():
        assert source.label in page
        shown_on = getattr(source.page_of(record), "get_absolute_url", None)
        assert shown_on is None or f'href="{shown_on()}"' in page


def _page_queries(client, action, django_assert_max_num_queries) -> int:
    client.get(action.get_absolute_url())
    with django_assert_max_num_queries(40) as captured:
        assert client.get(action.get_absolute_url()).status_code == 200
    return len(captured)


def test_the_action_page_reads_its_sources_with_the_action(
    client, pat, django_assert_max_num_queries
):
    client.force_login(pat)
    bare = _page_queries(client, ActionFactory(owner=pat), django_assert_max_num_queries)
    action = _with_every_source(owner=pat)
    full = _page_queries(client, action, django_assert_max_num_queries)
    # Read with the action; then one check each of whether the reader may open it.
    assert full <= bare + len(action.sources())


def test_the_admin_lists_every_origin_as_a_raw_id():
    model_admin = admin.site._registry[Action]
    assert set(Action.ORIGIN_FIELDS) <= set(model_admin.raw_id_fields)


def test_an_action_raised_directly_has_no_source(alice):
    action = ActionFactory(owner=alice, due_on=timezone.localdate() + dt.timedelta(days=3))
    assert action.sources() == []
    assert action.source_kinds() == []


# --- a source is named and linked only for people who may open it ----------------------------


def test_the_owner_sees_no_name_or_link_of_a_source_they_may_not_open(client, alice):
    interview = ExitInterviewFactory(
        client=ClientFactory(name="Harbor Dental Group"), interviewer=None, restricted=True
    )
    review = ReviewFactory(title="Secret loss review")
    suggestion = MAKERS["suggestion"]()
    action = ActionFactory(
        owner=alice,
        source_interview=interview,
        source_review=review,
        source_suggestion=suggestion,
    )
    client.force_login(alice)
    page = client.get(action.get_absolute_url()).content.decode()
    for label in ("Exit interview", "Review", "Staff suggestion"):
        assert f"{label} (not shared with you)" in page
    for hidden in (
        "Harbor Dental Group",
        interview.get_absolute_url(),
        "Secret loss review",
        review.get_absolute_url(),
        "Name a backup partner",
        suggestion.get_absolute_url(),
    ):
        assert hidden not in page


def test_a_partner_sees_the_same_sources_named_and_linked(client, alice, pat):
    interview = ExitInterviewFactory(
        client=ClientFactory(name="Harbor Dental Group"), interviewer=None, restricted=True
    )
    action = ActionFactory(owner=alice, source_interview=interview)
    client.force_login(pat)
    page = client.get(action.get_absolute_url()).content.decode()
    assert "Harbor Dental Group" in page and interview.get_absolute_url() in page
    assert "not shared with you" not in page


def test_an_unknown_kind_of_source_is_refused_by_the_filter(client, pat):
    client.force_login(pat)
    response = client.get(reverse("actions:action_list"), {"source": "memo"})
    assert response.status_code == 200
    assert "memo is not one of the available choices" in response.content.decode()
    with pytest.raises(ValueError, match="memo"):
        Action.objects.from_source("memo")
