"""Notifications: who hears about what, in the inbox and by e-mail as they prefer, within working
hours and quiet periods, and never about what they did themselves."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions import notifications, services
from actions.models import Action, Notification, NotificationPreference
from feedback.models import FeedbackRequest
from tests.factories import ActionFactory, ClientFactory, QuietPeriodFactory, UserFactory

pytestmark = pytest.mark.django_db
Event = Notification.Event
Channel = NotificationPreference.Channel


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


# A Wednesday in working hours, and the same evening after them.
WEDNESDAY_10 = local(2027, 6, 9, 10, 0)
WEDNESDAY_20 = local(2027, 6, 9, 20, 0)


def _new_action(*, owner, by, **fields):
    return services.create_action(
        title=fields.pop("title", "Publish the escalation roster"),
        owner=owner,
        due_on=dt.date(2027, 6, 30),
        created_by=by,
        **fields,
    )


def _inbox(user) -> list[tuple[str, str]]:
    return [(n.event, n.text) for n in Notification.objects.filter(recipient=user)]


def _prefer(user, event, channel):
    notifications.set_preferences(user=user, channels={event: channel})


# Who hears what ----------------------------------------------------------------------------------


def test_a_new_owner_hears_who_gave_them_the_action(alice, pat):
    action = _new_action(owner=alice, by=pat)
    assert _inbox(alice) == [
        (
            Event.ASSIGNED,
            "Pat Lindqvist gave you the action “Publish the escalation roster”, due Jun 30, 2027.",
        )
    ]
    assert Notification.objects.get().url == action.get_absolute_url()


def test_nobody_is_told_what_they_did_themselves(alice):
    action = _new_action(owner=alice, by=alice)
    services.complete_action(action=action, by=alice, evidence="Roster on the intranet")
    assert not Notification.objects.exists()


def test_a_reassigned_action_is_announced_to_its_new_owner(alice, bob, pat):
    action = _new_action(owner=alice, by=pat)
    services.reassign(action=action, by=pat, owner=bob)
    assert [event for event, _ in _inbox(bob)] == [Event.ASSIGNED]


def test_the_partner_who_asked_hears_it_is_done_and_awaits_their_verification(alice, pat):
    action = _new_action(owner=alice, by=pat)
    services.complete_action(action=action, by=alice, evidence="Roster on the intranet")
    assert _inbox(pat) == [
        (
            Event.DONE,
            "Alice Moreno marked “Publish the escalation roster” done. "
            "It awaits your verification.",
        )
    ]


def test_an_asker_who_cannot_verify_hears_only_that_it_is_done(alice, bob):
    action = _new_action(owner=alice, by=bob)
    services.complete_action(action=action, by=alice, evidence="Roster on the intranet")
    assert _inbox(bob) == [
        (Event.DONE, "Alice Moreno marked “Publish the escalation roster” done.")
    ]


def test_the_owner_hears_their_action_is_verified_or_reopened(alice, pat):
    action = _new_action(owner=alice, by=pat)
    services.complete_action(action=action, by=alice, evidence="Roster on the intranet")
    services.verify_action(action=action, by=pat)
    services.reopen(action=action, by=pat, note="The roster lapsed in July")
    events = [text for event, text in _inbox(alice) if event != Event.ASSIGNED]
    assert events == [
        "Pat Lindqvist reopened “Publish the escalation roster”: The roster lapsed in July",
        "Pat Lindqvist verified “Publish the escalation roster”.",
    ]


def test_a_former_colleague_gets_nothing(pat, deactivated):
    ActionFactory(owner=deactivated)  # exists, so the owner is real
    _new_action(owner=deactivated, by=pat)
    assert not Notification.objects.exists()


def test_the_account_manager_hears_of_new_feedback_without_who_wrote_it(client, alice):
    acme = ClientFactory(name="Acme Holdings", account_manager=alice)
    link = FeedbackRequest.objects.create(client=acme)
    client.post(
        link.get_absolute_url(),
        {
            "rating": 4,
            "doing_right": "Friendly",
            "do_better": "Answer the phone",
            "contact_name": "Carla Whistleblower",
            "contact_email": "carla@acme.example",
            "contact_consent": "on",
        },
    )
    [(event, text)] = _inbox(alice)
    assert (event, text) == (Event.FEEDBACK, "New feedback about Acme Holdings (rated 4/10).")
    assert "Carla" not in str(Notification.objects.values())


# E-mail as each person prefers -------------------------------------------------------------------


def test_an_instant_notification_is_mailed_at_the_next_sweep_in_working_hours(alice, pat):
    with time_machine.travel(WEDNESDAY_10, tick=False):
        _new_action(owner=alice, by=pat)
        services.send_due_reminders()
    [message] = mail.outbox
    assert message.to == ["alice@example.com"]
    assert "Pat Lindqvist gave you the action" in message.subject
    assert f"{settings.SITE_URL}/actions/" in message.body
    assert Notification.objects.get().emailed_at is not None
    services.send_due_reminders(now=WEDNESDAY_10)
    assert len(mail.outbox) == 1  # once only


def test_after_hours_the_mail_waits_for_the_next_working_morning(alice, pat):
    with time_machine.travel(WEDNESDAY_20, tick=False) as traveller:
        _new_action(owner=alice, by=pat)
        services.send_due_reminders()
        assert not mail.outbox
        traveller.move_to(local(2027, 6, 10, 8, 59))
        services.send_due_reminders()
        assert not mail.outbox
        traveller.move_to(local(2027, 6, 10, 9, 0))
        services.send_due_reminders()
    assert len(mail.outbox) == 1


def test_a_quiet_period_holds_the_mail(alice, pat):
    QuietPeriodFactory(
        name="Busy week", starts_on=dt.date(2027, 6, 9), ends_on=dt.date(2027, 6, 11)
    )
    with time_machine.travel(WEDNESDAY_10, tick=False) as traveller:
        _new_action(owner=alice, by=pat)
        services.send_due_reminders()
        assert not mail.outbox
        traveller.move_to(local(2027, 6, 14, 9, 0))  # Monday after
        services.send_due_reminders()
    assert len(mail.outbox) == 1


def test_a_digest_gathers_the_days_notifications_into_one_mail_the_next_morning(alice, pat):
    _prefer(alice, Event.ASSIGNED, Channel.DIGEST)
    with time_machine.travel(WEDNESDAY_10, tick=False) as traveller:
        _new_action(owner=alice, by=pat, title="First")
        _new_action(owner=alice, by=pat, title="Second")
        services.send_due_reminders()
        assert not mail.outbox
        traveller.move_to(local(2027, 6, 10, 9, 0))
        services.send_due_reminders()
    [message] = mail.outbox
    assert message.subject == "2 updates from learnorg"
    assert "“First”" in message.body and "“Second”" in message.body


def test_in_the_app_only_means_no_mail(alice, pat):
    _prefer(alice, Event.ASSIGNED, Channel.APP)
    with time_machine.travel(WEDNESDAY_10, tick=False):
        _new_action(owner=alice, by=pat)
        services.send_due_reminders()
    assert not mail.outbox and len(_inbox(alice)) == 1


def test_someone_without_an_address_gets_the_inbox_only(pat):
    nomail = UserFactory(username="nomail", email="")
    with time_machine.travel(WEDNESDAY_10, tick=False):
        _new_action(owner=nomail, by=pat)
        services.send_due_reminders()
    assert not mail.outbox and len(_inbox(nomail)) == 1


def test_a_failed_send_is_tried_again_later(alice, pat, monkeypatch):
    with time_machine.travel(WEDNESDAY_10, tick=False):
        _new_action(owner=alice, by=pat)

        def refuse(*args, **kwargs):
            raise OSError("SMTP down")

        monkeypatch.setattr(notifications.Email, "send", refuse)
        services.send_due_reminders()
        monkeypatch.undo()
        assert not mail.outbox
        services.send_due_reminders(now=WEDNESDAY_10 + notifications.RETRY_DELAY)
    assert len(mail.outbox) == 1


# Pages --------------------------------------------------------------------------------------------


def test_the_bell_shows_the_unread_count_and_the_inbox_lists_them(client, alice, pat):
    _new_action(owner=alice, by=pat)
    client.force_login(alice)
    home = client.get("/").content.decode()
    assert "Notifications, 1 unread" in home
    page = client.get(reverse("actions:notification_list")).content.decode()
    assert "Pat Lindqvist gave you the action" in page


def test_the_bell_stops_counting_at_99(client, alice):
    Notification.objects.bulk_create(
        Notification(recipient=alice, event=Event.ASSIGNED, text=f"n{n}") for n in range(120)
    )
    notifications.recount(alice)
    client.force_login(alice)
    assert "Notifications, 99+ unread" in client.get("/").content.decode()


def test_opening_a_notification_marks_it_read_and_goes_to_the_action(client, alice, pat):
    action = _new_action(owner=alice, by=pat)
    note = Notification.objects.get()
    client.force_login(alice)
    response = client.get(reverse("actions:notification_open", args=[note.pk]))
    assert response["Location"] == action.get_absolute_url()
    note.refresh_from_db()
    assert note.read_at is not None
    assert "unread" not in client.get("/").content.decode().split("notification-bell")[1][:200]


def test_someone_elses_notification_is_a_404(client, alice, bob, pat):
    _new_action(owner=alice, by=pat)
    client.force_login(bob)
    pk = Notification.objects.get().pk
    assert client.get(reverse("actions:notification_open", args=[pk])).status_code == 404
    client.post(reverse("actions:notification_read"), {"id": pk})
    assert Notification.objects.get().read_at is None


def test_a_notification_never_redirects_off_the_site(client, alice):
    note = Notification.objects.create(
        recipient=alice, event=Event.MENTIONED, text="x", url="//evil.example/"
    )
    client.force_login(alice)
    response = client.get(reverse("actions:notification_open", args=[note.pk]))
    assert response["Location"] == reverse("actions:notification_list")


def test_mark_one_or_all_read(client, alice, pat):
    for n in range(3):
        _new_action(owner=alice, by=pat, title=f"Action {n}")
    first = Notification.objects.first()
    client.force_login(alice)

    def unread():
        alice.refresh_from_db()
        counted = Notification.objects.filter(recipient=alice, read_at__isnull=True).count()
        assert notifications.unread_count(alice) == counted  # the kept number is the truth
        return counted

    assert unread() == 3
    client.post(reverse("actions:notification_read"), {"id": first.pk})
    assert unread() == 2
    client.post(reverse("actions:notification_read"), {"id": "not a number"})
    assert unread() == 2
    client.post(reverse("actions:notification_read"))
    assert unread() == 0


def test_the_settings_page_saves_each_choice(client, alice):
    client.force_login(alice)
    data = dict.fromkeys(Event, Channel.INSTANT)
    data[Event.FEEDBACK] = Channel.DIGEST
    response = client.post(reverse("actions:notification_settings"), data)
    assert response.status_code == 302
    assert notifications.preferences_of(alice)[Event.FEEDBACK] == Channel.DIGEST
    page = client.get(reverse("actions:notification_settings"))
    assert page.context["form"].fields[Event.FEEDBACK].initial == Channel.DIGEST


def test_an_unknown_choice_is_refused_next_to_its_event(client, alice):
    client.force_login(alice)
    data = dict.fromkeys(Event, Channel.INSTANT)
    data[Event.FEEDBACK] = "carrier pigeon"
    response = client.post(reverse("actions:notification_settings"), data)
    assert response.status_code == 200
    assert Event.FEEDBACK in response.context["form"].errors
    assert not NotificationPreference.objects.exists()


def test_the_inbox_costs_the_same_queries_for_5_and_50(client, alice):
    client.force_login(alice)
    counts = []
    for total in (5, 50):
        have = Notification.objects.count()
        Notification.objects.bulk_create(
            Notification(recipient=alice, event=Event.ASSIGNED, text=f"n{n}", url="/actions/")
            for n in range(total - have)
        )
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("actions:notification_list")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_nothing_in_the_inbox_survives_the_recipient(alice, pat):
    _new_action(owner=alice, by=pat)
    Action.objects.all().delete()
    alice.delete()
    assert not Notification.objects.exists()


def test_the_bells_number_follows_new_and_read_notifications(
    client, alice, pat, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    assert "unread" not in client.get("/").content.decode().split("notification-bell")[1][:120]
    with django_capture_on_commit_callbacks(execute=True):
        _new_action(owner=alice, by=pat)
    assert "Notifications, 1 unread" in client.get("/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("actions:notification_read"))
    assert "unread" not in client.get("/").content.decode().split("notification-bell")[1][:120]


def test_the_bell_costs_no_query(client, alice, pat, django_assert_num_queries):
    _new_action(owner=alice, by=pat)
    client.force_login(alice)
    client.get(reverse("accounts:password_change"))
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("accounts:password_change")).content.decode()
    assert "Notifications, 1 unread" in page
    assert not [q for q in queries.captured_queries if "actions_notification" in q["sql"]]


def test_an_asker_who_cannot_open_the_action_gets_no_link_to_it(alice, bob):
    action = _new_action(owner=alice, by=bob)
    services.complete_action(action=action, by=alice, evidence="Roster on the intranet")
    assert Notification.objects.get(recipient=bob).url == ""
