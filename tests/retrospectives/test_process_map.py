"""The process map: in the "Actual" phase the facilitator lays out the client's
journey as a swimlane of steps (who acted, what happened, when), marks pain points, and moves
steps earlier or later with buttons. The presenter shows it; the report keeps it."""

import csv
import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from retrospectives import services
from retrospectives.models import Phase, ProcessStep, Review
from retrospectives.report import swimlane

pytestmark = pytest.mark.django_db

MAR_3 = dt.date(2026, 3, 3)


def _map(review):
    return reverse("retrospectives:process_map", args=[review.pk])


def _step(review, text, lane="client", day=MAR_3, **extra):
    return services.add_process_step(review=review, lane=lane, text=text, happened_on=day, **extra)


@pytest.fixture
def journey(live_review):
    """A live review in "Actual" with three steps."""
    _step(live_review, "Audit letter arrives")
    _step(live_review, "Four calls to the main line", lane="staff", day=dt.date(2026, 3, 4))
    _step(
        live_review,
        "Deadline passes; client pays the penalty",
        day=dt.date(2026, 3, 18),
        pain_point=True,
        pain_note="A penalty we could have avoided",
    )
    return live_review


def _texts(review):
    return list(review.process_steps.values_list("text", flat=True))


def test_the_facilitator_adds_a_step(client, fran, live_review):
    client.force_login(fran)
    response = client.post(
        _map(live_review),
        {"lane": "account_manager", "text": " Voicemail left ", "happened_on": "2026-03-05"},
    )
    assert response.status_code == 302
    step = ProcessStep.objects.get()
    assert (step.lane, step.text, step.happened_on, step.position) == (
        "account_manager",
        "Voicemail left",
        dt.date(2026, 3, 5),
        1,
    )
    page = client.get(_map(live_review)).content.decode()
    assert "Voicemail left" in page and "Account manager" in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"lane": "", "text": "x", "happened_on": "2026-03-05"}, "lane", "Pick who acted"),
        ({"lane": "robot", "text": "x", "happened_on": "2026-03-05"}, "lane", "Pick one of"),
        (
            {"lane": "client", "text": "  ", "happened_on": "2026-03-05"},
            "text",
            "Say what happened",
        ),
        ({"lane": "client", "text": "x" * 201, "happened_on": "2026-03-05"}, "text", "at most 200"),
        ({"lane": "client", "text": "x", "happened_on": ""}, "happened_on", "Give the date"),
        ({"lane": "client", "text": "x", "happened_on": "3rd of May"}, "happened_on", "such as"),
        ({"lane": "client", "text": "x", "happened_on": "2099-01-01"}, "happened_on", "past date"),
        ({"lane": "client", "text": "x", "happened_on": "1990-01-01"}, "happened_on", "ten years"),
        (
            {
                "lane": "client",
                "text": "x",
                "happened_on": "2026-03-05",
                "pain_point": "on",
                "pain_note": "y" * 201,
            },
            "pain_note",
            "at most 200",
        ),
    ],
)
def test_every_input_is_validated_next_to_its_field(
    client, fran, live_review, data, field, message
):
    client.force_login(fran)
    response = client.post(_map(live_review), data)
    assert response.status_code == 400
    page = response.content.decode()
    # crispy renders the message in the field's own feedback, under the field.
    error = page[page.index(f'id="error_1_id_{field}"') :][:400]
    assert message in error
    assert not ProcessStep.objects.exists()
    if data["text"].strip():
        assert f'value="{data["text"]}"' in page  # what was typed is kept


def test_a_nul_byte_is_a_message_not_a_500(client, fran, live_review):
    client.force_login(fran)
    response = client.post(
        _map(live_review), {"lane": "client", "text": "a\x00b", "happened_on": "2026-03-05"}
    )
    assert response.status_code == 400
    assert not ProcessStep.objects.exists()


def test_steps_move_earlier_and_later_with_buttons(client, fran, journey):
    client.force_login(fran)
    last = journey.process_steps.get(position=3)
    move = reverse("retrospectives:process_step_move", args=[journey.pk, last.pk])
    client.post(move, {"direction": "earlier"})
    assert _texts(journey) == [
        "Audit letter arrives",
        "Deadline passes; client pays the penalty",
        "Four calls to the main line",
    ]
    client.post(move, {"direction": "later"})
    assert _texts(journey)[-1] == "Deadline passes; client pays the penalty"
    response = client.post(move, {"direction": "later"}, follow=True)
    assert "already the last" in response.content.decode()
    assert list(journey.process_steps.values_list("position", flat=True)) == [1, 2, 3]


def test_the_first_step_has_no_earlier_and_the_last_no_later(client, fran, journey):
    client.force_login(fran)
    page = client.get(_map(journey)).content.decode()
    assert 'aria-label="Move step 1 earlier" disabled' not in page  # attribute order
    assert 'disabled aria-label="Move step 1 earlier"' in page
    assert 'disabled aria-label="Move step 3 later"' in page
    assert 'disabled aria-label="Move step 2 earlier"' not in page


def test_editing_a_step_marks_a_pain_point(client, fran, journey):
    step = journey.process_steps.get(position=2)
    url = reverse("retrospectives:process_step_edit", args=[journey.pk, step.pk])
    client.force_login(fran)
    assert "Edit step 2" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "lane": "staff",
            "text": "Four calls, all to a shared inbox",
            "happened_on": "2026-03-04",
            "pain_point": "on",
            "pain_note": "Nobody called back",
        },
    )
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.pain_point and step.pain_note == "Nobody called back"
    assert step.text == "Four calls, all to a shared inbox"


def test_a_bad_edit_keeps_what_was_typed(client, fran, journey):
    step = journey.process_steps.get(position=1)
    url = reverse("retrospectives:process_step_edit", args=[journey.pk, step.pk])
    client.force_login(fran)
    response = client.post(url, {"lane": "client", "text": "Changed text", "happened_on": ""})
    assert response.status_code == 400
    assert 'value="Changed text"' in response.content.decode()
    step.refresh_from_db()
    assert step.text == "Audit letter arrives"


def test_unmarking_a_pain_point_drops_its_note(journey):
    step = journey.process_steps.get(pain_point=True)
    services.edit_process_step(step=step, pain_point=False)
    step.refresh_from_db()
    assert step.pain_note == ""


def test_removing_a_step_closes_the_gap(client, fran, journey):
    first = journey.process_steps.get(position=1)
    client.force_login(fran)
    client.post(reverse("retrospectives:process_step_delete", args=[journey.pk, first.pk]))
    assert list(journey.process_steps.values_list("position", flat=True)) == [1, 2]


@pytest.mark.parametrize("phase", [Phase.INTENDED, Phase.WHY])
def test_the_map_changes_only_in_the_actual_phase(client, fran, journey, phase):
    journey.phase = phase
    journey.save()
    with pytest.raises(ValidationError, match="Actual"):
        _step(journey, "Too late")
    client.force_login(fran)
    response = client.post(
        _map(journey), {"lane": "client", "text": "Too late", "happened_on": "2026-03-05"}
    )
    page = response.content.decode()
    assert "Too late" not in _texts(journey)
    assert "The map can be changed in the live" in page
    assert "Add the step" not in page  # the form is not offered
    step = journey.process_steps.first()
    client.post(reverse("retrospectives:process_step_delete", args=[journey.pk, step.pk]))
    assert journey.process_steps.count() == 3


def test_only_people_who_run_the_review_see_or_change_the_map(client, alice, bob, journey):
    step = journey.process_steps.first()
    for user in (alice, bob):
        client.force_login(user)
        assert client.get(_map(journey)).status_code == 404
        url = reverse("retrospectives:process_step_edit", args=[journey.pk, step.pk])
        assert client.post(url, {"lane": "client", "text": "x"}).status_code == 404
    assert journey.process_steps.count() == 3


def test_a_step_of_another_review_is_404(client, fran, journey, pat):
    from tests.factories import ReviewFactory

    other = ReviewFactory(facilitator=fran)
    step = journey.process_steps.first()
    client.force_login(fran)
    url = reverse("retrospectives:process_step_edit", args=[other.pk, step.pk])
    assert client.get(url).status_code == 404


def test_the_swimlane_puts_each_step_in_its_lane_in_order(journey):
    lanes = swimlane(list(journey.process_steps.all()))
    assert [lane.label for lane in lanes] == ["Client", "Staff"]
    client_row, staff_row = (lane.cells for lane in lanes)
    assert [bool(c) for c in client_row] == [True, False, True]
    assert [bool(c) for c in staff_row] == [False, True, False]


def test_the_presenter_shows_the_map_in_the_actual_phase(client, fran, journey):
    client.force_login(fran)
    board = client.get(reverse("retrospectives:present_board", args=[journey.pk])).content.decode()
    assert "swimlane-projector" in board
    assert "Deadline passes; client pays the penalty" in board
    assert "Pain point" in board
    assert "3 · Mar 18" in board


def test_the_presenter_shows_the_latest_steps_that_fit(client, fran, journey):
    for n in range(4):
        _step(journey, f"Later step {n}")
    client.force_login(fran)
    board = client.get(reverse("retrospectives:present_board", args=[journey.pk])).content.decode()
    assert "steps 5–7 of 7" in board
    assert "Audit letter arrives" not in board and "Later step 3" in board


def test_the_presenter_shows_no_map_in_other_phases(client, fran, journey):
    journey.phase = Phase.WHY
    journey.save()
    client.force_login(fran)
    board = client.get(reverse("retrospectives:present_board", args=[journey.pk])).content.decode()
    assert "swimlane" not in board


def test_a_map_change_changes_the_presenter_etag(client, fran, journey):
    url = reverse("retrospectives:present_board", args=[journey.pk])
    client.force_login(fran)
    steps = list(journey.process_steps.all())
    changes = [
        lambda: _step(journey, "New step"),
        lambda: services.edit_process_step(step=steps[0], text="Edited"),
        lambda: services.move_process_step(step=steps[0], step_by=1),
        lambda: services.delete_process_step(step=steps[1]),
    ]
    for change in changes:
        etag = client.get(url)["ETag"]
        change()
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 200


def test_the_map_page_query_count_is_constant(client, fran, journey, django_assert_max_num_queries):
    client.force_login(fran)
    with django_assert_max_num_queries(20) as three:
        client.get(_map(journey))
    for n in range(10):
        _step(journey, f"More {n}", lane="partner")
    with django_assert_max_num_queries(len(three.captured_queries)):
        assert client.get(_map(journey)).content.decode().count('class="card mb-2') == 13


def test_the_report_page_and_csv_hold_the_map(client, alice, journey):
    services.close_review(review=journey)
    client.force_login(alice)
    page = client.get(reverse("retrospectives:review_report", args=[journey.pk])).content.decode()
    assert "Process map" in page
    assert "Deadline passes; client pays the penalty" in page
    assert "Pain point: A penalty we could have avoided" in page
    response = client.get(reverse("retrospectives:review_report_csv", args=[journey.pk]))
    rows = [r for r in csv.reader(io.StringIO(response.content.decode())) if r[0] == "process_step"]
    assert rows[0][:3] == ["process_step", "Actual", "Audit letter arrives"]
    assert rows[0][6:9] == ["Client", "2026-03-03", ""]
    assert (
        rows[2][2]
        == "Deadline passes; client pays the penalty (pain: A penalty we could have avoided)"
    )
    assert rows[2][8] == "pain point"


def test_the_report_says_when_there_is_no_map(client, alice, live_review):
    client.force_login(alice)
    page = client.get(
        reverse("retrospectives:review_report", args=[live_review.pk])
    ).content.decode()
    assert "No process map was laid out." in page


def test_the_console_links_the_map(client, fran, journey):
    client.force_login(fran)
    page = client.get(reverse("retrospectives:review_console", args=[journey.pk])).content.decode()
    assert "3 steps in the client" in page
    assert "Edit the process map" in page
    Review.objects.filter(pk=journey.pk).update(phase=Phase.WHY, started_at=timezone.now())
    page = client.get(reverse("retrospectives:review_console", args=[journey.pk])).content.decode()
    assert "See the process map" in page
