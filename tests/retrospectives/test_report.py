import csv
import io

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from retrospectives import services
from retrospectives.models import Phase, WhyStep
from tests.factories import ActionFactory, ContributionFactory, LessonFactory, VoteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(live_review, alice, bob):
    ContributionFactory(review=live_review, phase=Phase.ACTUAL, text="Notice arrived in March")
    cause = ContributionFactory(review=live_review, phase=Phase.WHY, text="=HYPERLINK(evil)")
    VoteFactory(contribution=cause)
    ContributionFactory(review=live_review, phase=Phase.WHY, text="Hidden remark", hidden=True)
    WhyStep.objects.create(cause=cause, depth=1, text="No named backup")
    LessonFactory(review=live_review, statement_internal="Backups matter")
    ActionFactory(source_review=live_review, title="Name backups", owner=bob)
    services.close_review(review=live_review, summary="Two actions agreed")
    return live_review


def test_the_report_holds_timeline_causes_whys_lessons_and_actions(client, alice, closed):
    client.force_login(alice)
    page = client.get(reverse("retrospectives:review_report", args=[closed.pk])).content.decode()
    for text in [
        "Notice arrived in March",
        "No named backup",
        "Backups matter",
        "Name backups",
        "Two actions agreed",
        "Timeline of the session",
    ]:
        assert text in page
    assert "Hidden remark" not in page


def test_the_csv_has_every_section_and_defuses_formulas(client, alice, closed):
    client.force_login(alice)
    response = client.get(reverse("retrospectives:review_report_csv", args=[closed.pk]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["section", "phase", "text", "author"]
    sections = {row[0] for row in rows[1:]}
    assert sections == {"note", "why", "lesson", "action"}
    texts = [row[2] for row in rows]
    assert "'=HYPERLINK(evil)" in texts
    assert "Hidden remark" not in texts
    assert AuditEvent.objects.filter(verb="export", object_type="retrospectives.review").exists()


def test_the_report_query_count_is_constant(client, pat, closed, django_assert_max_num_queries):
    client.force_login(pat)
    url = reverse("retrospectives:review_report", args=[closed.pk])
    with django_assert_max_num_queries(30) as before:
        client.get(url)
    ContributionFactory.create_batch(45, review=closed, phase=Phase.ACTUAL, anonymous=False)
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get(url)
