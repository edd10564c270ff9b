import pytest
from django.urls import reverse

from actions.models import Action
from tests.factories import ActionFactory, LessonFactory, ParticipantFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def test_the_owner_sees_the_action_its_source_and_history(client, alice, pat):
    review = ReviewFactory(title="Harbor Freight loss review")
    ParticipantFactory(review=review, user=alice)
    action = ActionFactory(owner=alice, source_review=review, title="Backup partner")
    action.events.create(actor=pat, to_status="open", note="Created")
    client.force_login(alice)
    response = client.get(action.get_absolute_url())
    assert response.status_code == 200
    content = response.content.decode()
    assert "Harbor Freight loss review" in content
    assert review.get_absolute_url() in content
    assert "Pat Lindqvist" in content


def test_a_lesson_source_links_to_the_lesson(client, alice):
    lesson = LessonFactory(status="published")
    action = ActionFactory(owner=alice, source_lesson=lesson)
    client.force_login(alice)
    assert lesson.get_absolute_url() in client.get(action.get_absolute_url()).content.decode()


def test_the_action_page_404s_for_someone_elses_action(client, alice, bob):
    action = ActionFactory(owner=alice)
    client.force_login(bob)
    assert client.get(action.get_absolute_url()).status_code == 404


def test_partners_see_the_verify_form_owners_do_not(client, alice, pat):
    action = ActionFactory(owner=alice, status=Action.Status.DONE, evidence="Roster v2")
    verify = reverse("actions:action_verify", args=[action.pk])
    client.force_login(alice)
    assert verify not in client.get(action.get_absolute_url()).content.decode()
    client.force_login(pat)
    assert verify in client.get(action.get_absolute_url()).content.decode()
