import pytest
from django.urls import reverse

from retrospectives.models import Lesson
from tests.factories import (
    ClientFactory,
    LessonFactory,
    ReviewFactory,
    ServiceLineFactory,
    loss_reason,
)

pytestmark = pytest.mark.django_db


def _publish(client, lesson, public, **extra):
    url = reverse("retrospectives:lesson_edit", args=[lesson.pk])
    data = {
        "statement_internal": lesson.statement_internal,
        "statement_public": public,
        "publish": "on",
        **extra,
    }
    return client.post(url, data)


@pytest.fixture
def draft(fran, review):
    return LessonFactory(review=review, created_by=fran, statement_public="")


def test_the_lesson_library_publishes_a_scrubbed_statement(client, fran, draft):
    client.force_login(fran)
    response = _publish(client, draft, "Key clients need a named backup partner in busy season.")
    draft.refresh_from_db()
    assert response.status_code == 302
    assert draft.status == Lesson.Status.PUBLISHED
    assert draft.published_at is not None


@pytest.mark.parametrize(
    ("public", "named"),
    [
        ("Harbor Freight needed a backup partner.", "Harbor Freight"),
        ("harbor freight llc left over fees.", "harbor freight llc"),
        ("Alice Moreno was overloaded.", "Alice Moreno"),
        ("Ask Bob before billing.", "Bob"),
        ("Harbor\u00a0 Freight needed a backup partner.", "Harbor"),
    ],
)
def test_the_lesson_library_refuses_to_publish_client_or_staff_names(
    client, fran, alice, bob, draft, public, named
):
    ClientFactory(name="Harbor Freight LLC")
    client.force_login(fran)
    response = _publish(client, draft, public)
    page = response.content.decode()
    draft.refresh_from_db()
    assert response.status_code == 200
    assert "must not name clients or people" in page
    assert named.lower() in page.lower()
    assert public.split()[0] in page  # the text is kept
    assert draft.status == Lesson.Status.DRAFT


def test_names_are_fine_in_an_unpublished_draft(client, fran, alice, draft):
    client.force_login(fran)
    url = reverse("retrospectives:lesson_edit", args=[draft.pk])
    client.post(url, {"statement_internal": "Alice was overloaded", "statement_public": "Alice"})
    draft.refresh_from_db()
    assert draft.statement_internal == "Alice was overloaded"
    assert draft.status == Lesson.Status.DRAFT


def test_publishing_needs_a_public_statement(client, fran, draft):
    client.force_login(fran)
    assert "Write the publishable statement" in _publish(client, draft, "").content.decode()


def test_drafts_are_private_to_their_review(client, sam, draft):
    client.force_login(sam)
    assert client.get(reverse("retrospectives:lesson_detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("retrospectives:lesson_edit", args=[draft.pk])).status_code == 404


def test_the_library_lists_exactly_the_drafts_one_may_edit(client, fran, sam, review, draft):
    own = LessonFactory(created_by=sam, statement_internal="Sam's own draft about handovers.")
    LessonFactory(review=ReviewFactory(), statement_internal="Another review's draft.")
    for person, expected in ((fran, {draft}), (sam, {own})):
        client.force_login(person)
        drafts = client.get(reverse("retrospectives:lesson_list")).context["drafts"]
        assert set(drafts) == expected
        for lesson in drafts:
            edit = reverse("retrospectives:lesson_edit", args=[lesson.pk])
            assert client.get(edit).status_code == 200


def test_only_the_public_statement_reaches_people_outside_the_review(client, bob, review):
    lesson = LessonFactory(
        review=review,
        statement_internal="Internal words about a client",
        statement_public="Public words",
        status=Lesson.Status.PUBLISHED,
    )
    client.force_login(bob)
    page = client.get(reverse("retrospectives:lesson_detail", args=[lesson.pk])).content.decode()
    assert "Public words" in page
    assert "Internal words" not in page
    assert client.get(reverse("retrospectives:lesson_edit", args=[lesson.pk])).status_code == 404


class TestLibrary:
    @pytest.fixture
    def lessons(self):
        tax = ServiceLineFactory(name="Tax")
        payroll = ServiceLineFactory(name="Payroll")
        backup = LessonFactory(
            statement_public="Name a backup partner for every key client before busy season.",
            category="access",
            cause=loss_reason("not reachable"),
            status=Lesson.Status.PUBLISHED,
        )
        backup.service_lines.set([tax])
        fees = LessonFactory(
            statement_public="Send a fee estimate before extra work starts.",
            category="fees",
            status=Lesson.Status.PUBLISHED,
        )
        fees.service_lines.set([payroll])
        LessonFactory(statement_public="A draft nobody should find.")
        return {"backup": backup, "fees": fees, "tax": tax}

    def _titles(self, client, **params):
        response = client.get(reverse("retrospectives:lesson_list"), params)
        return {lesson.statement_public for lesson in response.context["lessons"]}

    def test_the_lesson_library_lists_published_lessons_only(self, client, sam, lessons):
        client.force_login(sam)
        assert len(self._titles(client)) == 2

    def test_the_lesson_library_searches_words(self, client, sam, lessons):
        client.force_login(sam)
        assert self._titles(client, q="backup partner") == {lessons["backup"].statement_public}
        assert self._titles(client, q="estimate") == {lessons["fees"].statement_public}
        assert self._titles(client, q="nothing-like-this") == set()

    def test_the_lesson_library_filters_by_category_and_service_line(self, client, sam, lessons):
        client.force_login(sam)
        assert self._titles(client, category="fees") == {lessons["fees"].statement_public}
        tax = lessons["tax"].pk
        assert self._titles(client, service_line=tax) == {lessons["backup"].statement_public}

    def test_odd_filters_do_not_break_it(self, client, sam, lessons):
        client.force_login(sam)
        response = client.get(
            reverse("retrospectives:lesson_list"), {"category": "nope", "q": "a\x00b"}
        )
        assert response.status_code == 200
