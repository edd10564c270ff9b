"""Save alerts: which feedback opens a save attempt, who is told, and that it
happens once. Celery runs eagerly in tests; the task is queued after the commit."""

import datetime as dt

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Role
from feedback import services, tasks
from feedback.models import (
    Client,
    FeedbackResponse,
    SaveAlertSettings,
    SaveAttempt,
    SaveAttemptQuerySet,
)
from tests.factories import (
    ClientFactory,
    FeedbackRequestFactory,
    FeedbackResponseFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def quinn(db):
    return UserFactory(username="quinn", display_name="Quinn Adler", roles=[Role.PARTNER])


@pytest.fixture
def acme(alice, quinn):
    return ClientFactory(name="Acme & Sons", account_manager=alice, relationship_partner=quinn)


@pytest.fixture
def link(acme):
    return FeedbackRequestFactory(client=acme)


@pytest.fixture
def submit(client, link, django_capture_on_commit_callbacks):
    """The client fills in the public form; the alert task runs once the answer is committed."""

    def do(rating, do_better="You never call back."):
        data = {"doing_right": "", "do_better": do_better}
        if rating is not None:
            data["rating"] = str(rating)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("feedback:public_form", args=[link.token]), data)
        assert response.status_code == 302
        return FeedbackResponse.objects.latest("id")

    return do


def test_a_save_alert_opens_a_save_attempt_for_a_rating_of_6(submit, acme, alice):
    response = submit(6)
    attempt = SaveAttempt.objects.get()
    assert (attempt.client, attempt.owner, attempt.status) == (acme, alice, "open")
    assert attempt.trigger == SaveAttempt.Trigger.LOW_RATING
    assert list(attempt.responses.all()) == [response]
    acme.refresh_from_db()
    assert acme.status == Client.Status.AT_RISK
    assert attempt.client_status_before == Client.Status.ACTIVE


@pytest.mark.parametrize("rating", [7, 10, None])
def test_a_save_alert_leaves_a_rating_of_7_or_more_or_none_alone(submit, acme, rating):
    submit(rating)
    assert not SaveAttempt.objects.exists()
    assert mail.outbox == []
    acme.refresh_from_db()
    assert acme.status == Client.Status.ACTIVE


def test_the_threshold_is_editable(submit):
    SaveAlertSettings.objects.update_or_create(pk=1, defaults={"low_rating_threshold": 7})
    submit(8)
    assert not SaveAttempt.objects.exists()
    submit(7)
    assert SaveAttempt.objects.count() == 1


def test_the_threshold_can_be_lowered(submit):
    SaveAlertSettings.objects.update_or_create(pk=1, defaults={"low_rating_threshold": 4})
    submit(5)
    assert not SaveAttempt.objects.exists()


def test_an_admin_edits_the_threshold_in_django_admin(client, submit):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    row = SaveAlertSettings.current()
    client.force_login(admin)
    change = reverse("admin:feedback_savealertsettings_change", args=[row.pk])
    assert client.get(change).status_code == 200
    response = client.post(
        change, {"low_rating_threshold": "3", "first_contact_business_days": "2"}
    )
    assert response.status_code == 302
    assert SaveAlertSettings.current().low_rating_threshold == 3
    add = reverse("admin:feedback_savealertsettings_add")
    assert client.get(add).status_code == 403  # one row for the firm
    client.logout()
    submit(4)
    assert not SaveAttempt.objects.exists()


def test_the_admin_refuses_a_threshold_above_10(client):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    change = reverse(
        "admin:feedback_savealertsettings_change", args=[SaveAlertSettings.current().pk]
    )
    response = client.post(
        change, {"low_rating_threshold": "11", "first_contact_business_days": "2"}
    )
    assert response.status_code == 200
    assert "less than or equal to 10" in response.content.decode()
    assert SaveAlertSettings.current().low_rating_threshold == 6


def test_lost_clients_are_ignored(submit, acme):
    Client.objects.filter(pk=acme.pk).update(status=Client.Status.LOST)
    submit(2)
    assert not SaveAttempt.objects.exists()
    assert mail.outbox == []
    acme.refresh_from_db()
    assert acme.status == Client.Status.LOST


def test_firm_wide_feedback_opens_nothing(client, django_capture_on_commit_callbacks):
    firm_link = FeedbackRequestFactory(client=None)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("feedback:public_form", args=[firm_link.token]),
            {"rating": "1", "do_better": "Answer the phone."},
        )
    assert FeedbackResponse.objects.get().rating == 1
    assert not SaveAttempt.objects.exists()


def test_a_save_alert_queues_the_task_only_after_commit(
    client, link, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(
            reverse("feedback:public_form", args=[link.token]),
            {"rating": "2", "do_better": "Answer the phone."},
        )
        assert not SaveAttempt.objects.exists()
    assert len(callbacks) == 1
    callbacks[0]()
    assert SaveAttempt.objects.count() == 1


def test_a_save_alert_mails_the_account_manager_and_the_relationship_partner(
    submit, acme, alice, quinn
):
    response = submit(3, do_better="Nobody answered about the audit letter.")
    attempt = SaveAttempt.objects.get()
    [message] = mail.outbox
    assert sorted(message.to) == sorted([alice.email, quinn.email])
    assert message.subject == "Save alert: Acme & Sons rated us 3/10"
    assert "Nobody answered about the audit letter." in message.body
    assert "Acme & Sons gave feedback" in message.body  # plain text, not HTML-escaped
    assert attempt.get_absolute_url() in message.body
    assert attempt.first_contact_due_on.strftime("%-d %B %Y") in message.body
    assert message.extra_headers["Message-ID"] == f"<save-alert-{response.pk}@learnorg>"
    html = message.alternatives[0][0]
    assert "Open the save attempt" in html


def test_a_save_alert_mails_nobody_who_cannot_receive_mail(submit, acme, alice, quinn):
    alice.is_active = False
    alice.save()
    quinn.email = ""
    quinn.save()
    submit(3)
    assert SaveAttempt.objects.count() == 1
    assert mail.outbox == []


def test_one_person_in_both_roles_gets_one_mail(submit, acme, pat):
    acme.account_manager = acme.relationship_partner = pat
    acme.save()
    submit(3)
    [message] = mail.outbox
    assert message.to == [pat.email]


def test_a_second_low_response_joins_the_open_attempt(submit, acme):
    first = submit(5)
    second = submit(2, do_better="Still waiting.")
    attempt = SaveAttempt.objects.get()
    assert set(attempt.responses.all()) == {first, second}
    assert len(mail.outbox) == 2
    assert "added to the save attempt already open" in mail.outbox[1].body
    assert "A save attempt is open" in mail.outbox[0].body


def test_running_the_task_again_changes_nothing(submit):
    response = submit(4)
    tasks.raise_save_alert.delay(response.pk)
    services.raise_save_alert(response_id=response.pk)
    assert SaveAttempt.objects.count() == 1
    assert len(mail.outbox) == 1


def test_the_database_allows_one_open_attempt_per_client(acme, alice):
    fields = {
        "client": acme,
        "owner": alice,
        "trigger": "low_rating",
        "first_contact_due_on": timezone.localdate(),
        "client_status_before": "active",
    }
    SaveAttempt.objects.create(**fields)
    SaveAttempt.objects.create(**fields, status=SaveAttempt.Status.SAVED)
    with pytest.raises(IntegrityError), transaction.atomic():
        SaveAttempt.objects.create(**fields)


def test_a_worker_that_loses_the_race_joins_the_winners_attempt(acme, alice, monkeypatch):
    """Two workers see no open attempt; the second one's insert hits the constraint and
    it adds its response to the first one's attempt instead."""
    response = FeedbackResponseFactory(request__client=acme, rating=2)
    winner = SaveAttempt.objects.create(
        client=acme,
        owner=alice,
        trigger="low_rating",
        first_contact_due_on=timezone.localdate(),
        client_status_before="active",
    )
    real_open, looks = SaveAttemptQuerySet.open, []

    def open_as_seen_before_the_winner_committed(self):
        looks.append(self)
        return real_open(self).none() if len(looks) == 1 else real_open(self)

    monkeypatch.setattr(SaveAttemptQuerySet, "open", open_as_seen_before_the_winner_committed)
    assert services.raise_save_alert(response_id=response.pk) == winner
    assert SaveAttempt.objects.count() == 1
    assert list(winner.responses.all()) == [response]


def test_after_a_closed_attempt_a_new_low_response_opens_a_new_one(submit, acme):
    submit(3)
    SaveAttempt.objects.update(status=SaveAttempt.Status.SAVED, closed_at=timezone.now())
    submit(3)
    assert SaveAttempt.objects.filter(status="open").count() == 1
    assert SaveAttempt.objects.count() == 2


def test_opening_is_written_to_the_audit_log(submit):
    submit(3)
    attempt = SaveAttempt.objects.get()
    event = AuditEvent.objects.get(object_type="feedback.saveattempt", verb="create")
    assert event.object_id == str(attempt.pk) and event.actor is None


# The first-contact due date -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("opened", "due"),
    [
        ("2026-11-23", "2026-11-25"),  # Monday → Wednesday
        ("2026-11-26", "2026-11-30"),  # Thursday → Monday
        ("2026-11-27", "2026-12-01"),  # Friday → Tuesday
        ("2026-11-28", "2026-12-01"),  # Saturday → Tuesday
    ],
)
def test_first_contact_is_due_two_working_days_later(submit, time_machine, opened, due):
    time_machine.move_to(dt.datetime.fromisoformat(f"{opened}T10:00:00-05:00"), tick=False)
    submit(3)
    assert SaveAttempt.objects.get().first_contact_due_on == dt.date.fromisoformat(due)


def test_the_number_of_working_days_is_editable(submit, time_machine):
    time_machine.move_to(dt.datetime.fromisoformat("2026-11-23T10:00:00-05:00"), tick=False)
    SaveAlertSettings.objects.update_or_create(pk=1, defaults={"first_contact_business_days": 5})
    submit(3)
    assert SaveAttempt.objects.get().first_contact_due_on == dt.date(2026, 11, 30)


# Criticism marked urgent ----------------------------------------------------------------------


@pytest.fixture
def praise(acme):
    return FeedbackResponseFactory(request__client=acme, rating=9, do_better="Call back sooner.")


def _mark(client, response):
    return client.post(reverse("feedback:feedback_mark_urgent", args=[response.pk]))


def test_the_account_manager_marks_criticism_urgent(
    client, alice, acme, praise, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    triage = client.get(reverse("feedback:feedback_triage")).content.decode()
    assert "Mark urgent: open a save attempt" in triage
    with django_capture_on_commit_callbacks(execute=True):
        response = _mark(client, praise)
    assert response.status_code == 302
    praise.refresh_from_db()
    assert praise.marked_urgent_by == alice and praise.marked_urgent_at is not None
    attempt = SaveAttempt.objects.get()
    assert attempt.trigger == SaveAttempt.Trigger.URGENT
    assert list(attempt.responses.all()) == [praise]
    assert mail.outbox[0].subject == "Save alert: Acme & Sons — criticism marked urgent"
    triage = client.get(reverse("feedback:feedback_triage")).content.decode()
    assert "Save attempt (open)" in triage
    assert AuditEvent.objects.filter(object_type="feedback.feedbackresponse").exists()


def test_marking_twice_opens_one_attempt(client, alice, praise, django_capture_on_commit_callbacks):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        _mark(client, praise)
        _mark(client, praise)
    assert SaveAttempt.objects.count() == 1
    assert len(mail.outbox) == 1


def test_another_account_manager_cannot_mark_it(client, bob, praise):
    client.force_login(bob)
    assert _mark(client, praise).status_code == 404
    praise.refresh_from_db()
    assert praise.marked_urgent_at is None


def test_feedback_of_a_lost_client_cannot_be_marked(
    client, alice, acme, praise, django_capture_on_commit_callbacks
):
    Client.objects.filter(pk=acme.pk).update(status=Client.Status.LOST)
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("feedback:feedback_mark_urgent", args=[praise.pk]), follow=True
        )
    assert "already lost" in response.content.decode()
    assert not SaveAttempt.objects.exists()


def test_firm_wide_feedback_cannot_be_marked(client, pat):
    anonymous = FeedbackResponseFactory(request__client=None, rating=1)
    client.force_login(pat)
    response = client.post(
        reverse("feedback:feedback_mark_urgent", args=[anonymous.pk]), follow=True
    )
    assert "no client" in response.content.decode()
    anonymous.refresh_from_db()
    assert anonymous.marked_urgent_at is None
