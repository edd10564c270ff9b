"""Every list a person can see downloads as CSV with the filters on screen: the list view answers
`?format=csv` from the rows it pages (all of them), so a download never holds more or other rows
than the page, and each download is audited."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from actions.models import Action
from feedback import services as feedback_services
from feedback.models import Client, FeedbackResponse, SaveAttempt
from retrospectives.models import AuditSchedule, Lesson, Review
from tests.factories import (
    ActionFactory,
    ClientFactory,
    FeedbackResponseFactory,
    LessonFactory,
    ReviewFactory,
    ServiceLineFactory,
)

pytestmark = pytest.mark.django_db


def _csv(client, url: str, **query) -> list[dict]:
    response = client.get(url, {**query, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_staff_export_their_own_actions_too(client, sam):
    ActionFactory(owner=sam, title="Fix the intake checklist")
    client.force_login(sam)
    assert [row["title"] for row in _csv(client, reverse("actions:action_export"))] == [
        "Fix the intake checklist"
    ]


def test_my_actions_links_to_the_export(client, alice):
    client.force_login(alice)
    page = client.get(reverse("actions:action_mine")).content.decode()
    assert reverse("actions:action_export") in page


def test_the_review_list_exports_the_reviews_it_shows_with_its_filter(client, fran, alice):
    live = ReviewFactory(title="Live one", facilitator=fran, status=Review.Status.LIVE)
    acme = ClientFactory(name="Acme Holdings", account_manager=alice)
    live.clients.add(acme)
    ReviewFactory(title="Planned one", facilitator=fran)
    client.force_login(fran)
    rows = _csv(client, reverse("retrospectives:review_list"), status="live")
    assert [(row["title"], row["clients"], row["status"]) for row in rows] == [
        ("Live one", "Acme Holdings", "Live")
    ]
    assert rows[0]["url"].endswith(live.get_absolute_url())


def test_the_review_csv_holds_only_reviews_the_person_may_see(client, fran, sam):
    ReviewFactory(title="Fran's review", facilitator=fran)
    client.force_login(sam)
    assert _csv(client, reverse("retrospectives:review_list")) == []


def test_the_lesson_library_exports_published_lessons_in_their_public_words(client, sam):
    LessonFactory(
        statement_internal="Inside words",
        statement_public="Outside words",
        status=Lesson.Status.PUBLISHED,
        published_at=timezone.now(),
        category="service",
    )
    LessonFactory(statement_public="A draft", status=Lesson.Status.DRAFT)
    client.force_login(sam)
    rows = _csv(client, reverse("retrospectives:lesson_list"))
    assert [row["lesson"] for row in rows] == ["Outside words"]
    assert "Inside words" not in str(rows)
    assert _csv(client, reverse("retrospectives:lesson_list"), category="fees") == []


def test_the_save_list_exports_open_or_closed_attempts_as_shown(client, alice):
    def attempt(name, status):
        return SaveAttempt.objects.create(
            client=ClientFactory(name=name, account_manager=alice),
            owner=alice,
            trigger=SaveAttempt.Trigger.LOW_RATING,
            status=status,
            first_contact_due_on=timezone.localdate() + dt.timedelta(days=2),
            client_status_before=Client.Status.ACTIVE,
        )

    attempt("Open Co", SaveAttempt.Status.OPEN)
    attempt("Saved Co", SaveAttempt.Status.SAVED)
    client.force_login(alice)
    url = reverse("feedback:save_list")
    assert [row["client"] for row in _csv(client, url)] == ["Open Co"]
    assert [row["client"] for row in _csv(client, url, show="closed")] == ["Saved Co"]


def test_the_feedback_csv_names_a_contact_only_with_their_consent(client, pat, alice):
    acme = ClientFactory(name="Acme Holdings", account_manager=alice)
    FeedbackResponseFactory(
        request__client=acme,
        client=acme,
        contact_name="Consenting Carla",
        contact_email="carla@acme.example",
        contact_consent=True,
        do_better="Faster replies",
    )
    FeedbackResponseFactory(
        request__client=acme,
        client=acme,
        contact_name="Private Pete",
        contact_email="pete@acme.example",
        contact_consent=False,
        do_better="Fewer errors",
    )
    client.force_login(pat)
    rows = _csv(client, reverse("feedback:feedback_triage"), show="all")
    assert {row["do better"] for row in rows} == {"Faster replies", "Fewer errors"}
    assert {row["contact e-mail"] for row in rows} == {"carla@acme.example", ""}
    assert "Private Pete" not in str(rows)


def test_an_account_manager_exports_feedback_about_their_own_clients_only(client, alice, bob):
    FeedbackResponseFactory(client=ClientFactory(account_manager=alice), do_better="Mine")
    FeedbackResponseFactory(client=ClientFactory(account_manager=bob), do_better="Bob's")
    client.force_login(alice)
    rows = _csv(client, reverse("feedback:feedback_triage"), show=FeedbackResponse.Triage.NEW)
    assert [row["do better"] for row in rows] == ["Mine"]


def test_the_suggestion_csv_never_names_an_anonymous_suggester(client, pat, sam):
    feedback_services.submit_suggestion(text="Named idea", by=sam, anonymous=False)
    feedback_services.submit_suggestion(text="Quiet idea", by=sam, anonymous=True)
    client.force_login(pat)
    rows = {
        row["suggestion"]: row["from"]
        for row in _csv(client, reverse("feedback:suggestion_triage"))
    }
    assert rows == {"Named idea": sam.name, "Quiet idea": "Anonymous"}


def test_the_audit_schedules_export(client, pat, fran):
    AuditSchedule.objects.create(
        service_line=ServiceLineFactory(name="Payroll"),
        facilitator=fran,
        frequency=AuditSchedule.Frequency.MONTHLY,
        starts_on=dt.date(2027, 1, 31),
        time_of_day=dt.time(9, 0),
        created_by=pat,
    )
    client.force_login(pat)
    rows = _csv(client, reverse("retrospectives:audit_list"))
    assert [(row["service line"], row["facilitator"], row["frequency"]) for row in rows] == [
        ("Payroll", fran.name, "Every month")
    ]


def test_a_download_is_audited_with_its_filters(client, fran):
    ReviewFactory(facilitator=fran, status=Review.Status.CLOSED)
    client.force_login(fran)
    _csv(client, reverse("retrospectives:review_list"), status="closed")
    event = AuditEvent.objects.get(verb="export")
    assert event.object_type == "retrospectives.review"
    assert event.detail == {"rows": 1, "filters": "status=closed"}


def test_a_cell_that_would_run_as_a_formula_goes_out_as_text(client, fran):
    ReviewFactory(title='=HYPERLINK("http://evil.example")', facilitator=fran)
    client.force_login(fran)
    assert _csv(client, reverse("retrospectives:review_list"))[0]["title"].startswith("'=")


def test_the_download_link_keeps_the_filters_and_drops_the_page(client, fran):
    client.force_login(fran)
    page = client.get(reverse("retrospectives:review_list"), {"status": "live", "page": "2"})
    assert "?status=live&amp;format=csv" in page.content.decode()


@pytest.mark.parametrize(
    ("url_name", "make"),
    [
        ("retrospectives:review_list", "review"),
        ("retrospectives:lesson_list", "lesson"),
    ],
)
def test_a_download_costs_the_same_queries_for_5_and_50_rows(client, pat, url_name, make):
    line = ServiceLineFactory(name="Tax")

    def add(count):
        for _ in range(count):
            if make == "review":
                ReviewFactory().clients.add(ClientFactory())
            else:
                LessonFactory(
                    status=Lesson.Status.PUBLISHED, published_at=timezone.now()
                ).service_lines.add(line)

    client.force_login(pat)
    url = reverse(url_name)
    counts = []
    for rows in (5, 50):
        add(rows - (counts and 5 or 0))
        with CaptureQueriesContext(connection) as queries:
            assert len(_csv(client, url)) == rows
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_every_action_is_exported_not_only_the_first_page(client, pat):
    for n in range(30):
        ActionFactory(title=f"Action {n}")
    client.force_login(pat)
    assert len(_csv(client, reverse("actions:action_export"))) == Action.objects.count() == 30
