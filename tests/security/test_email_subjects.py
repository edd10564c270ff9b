"""Every e-mail subject is one line. Subjects are made of what people typed (a review's title, a
client's name, an action's title); a line break that got into one must not make the message
fail (Django refuses a header with a line break), and the forms keep titles to one line."""

import ast
import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from actions import services as action_services
from feedback import services as feedback_services
from retrospectives import services as review_services
from retrospectives.models import Review
from tests.factories import (
    ActionFactory,
    ClientFactory,
    FeedbackRequestFactory,
    FeedbackResponseFactory,
    ParticipantFactory,
    ReminderFactory,
    ReviewFactory,
)

pytestmark = pytest.mark.django_db
BROKEN = "Why we lost\r\nHarbor\u2028Freight\tLLC"
APPS = ["accounts", "feedback", "retrospectives", "actions", "dashboard", "learnorg"]
DJANGO_SENDERS = {
    "EmailMessage",
    "EmailMultiAlternatives",
    "send_mail",
    "send_mass_mail",
    "mail_admins",
    "mail_managers",
}


def _one_line(subject: str) -> bool:
    return "\n" not in subject and "\r" not in subject and "\u2028" not in subject


def test_no_module_sends_mail_around_the_one_line_subject():
    """Every message is an accounts.mail.Email; a module that builds Django's own would skip
    the subject's normalising."""
    offenders = []
    for app in APPS:
        for path in Path(settings.BASE_DIR, app).rglob("*.py"):
            if path.as_posix().endswith("accounts/mail.py") or "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text())
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                    "django.core.mail"
                ):
                    names = {alias.name for alias in node.names}
                    if names & DJANGO_SENDERS:
                        offenders.append(f"{path.relative_to(settings.BASE_DIR)}: {names}")
    assert offenders == []


def test_invitations_and_the_report_go_out_for_a_title_with_line_breaks(alice, sam):
    alice.email, sam.email = "alice@example.com", "sam@example.com"
    alice.save(), sam.save()
    review = ReviewFactory(title=BROKEN, scheduled_for=timezone.now() + dt.timedelta(days=2))
    ParticipantFactory(review=review, user=alice)
    ParticipantFactory(review=review, user=sam)
    assert review_services.send_invitations(review=review) >= 2
    assert review_services.send_report(review=review) >= 2
    subjects = [m.subject for m in mail.outbox]
    assert all(_one_line(s) for s in subjects)
    assert "Invitation: Why we lost Harbor Freight LLC" in subjects[0]
    assert subjects[-1] == "Review report: Why we lost Harbor Freight LLC"


def test_a_reply_to_a_client_named_with_a_line_break_goes_out():
    response = FeedbackResponseFactory(
        request=FeedbackRequestFactory(client=ClientFactory(name="Harbor\nFreight")),
        contact_email="dana@example.com",
        contact_consent=True,
        reply_text="We now name a backup partner.",
    )
    assert feedback_services.send_feedback_reply(response=response)
    (message,) = mail.outbox
    assert message.subject == "You said, we did: Harbor Freight"


def test_a_reminder_for_an_action_titled_with_a_line_break_goes_out(alice):
    alice.email = "alice@example.com"
    alice.save()
    reminder = ReminderFactory(action=ActionFactory(owner=alice, title="Name a\nbackup partner"))
    message = action_services.build_digest(recipient=alice, reminders=[reminder])
    message.send()
    assert mail.outbox[0].subject == "Due today: Name a backup partner"


def test_a_review_title_must_be_one_line(client, pat, fran):
    client.force_login(pat)
    when = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("retrospectives:review_new"),
        {
            "title": "Why we lost\nHarbor",
            "kind": Review.Kind.CLIENT_LOSS,
            "facilitator": fran.pk,
            "scheduled_for": when,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["title"] == [
        "Keep this to one line: remove the line breaks and tabs."
    ]
    assert response.context["form"]["title"].value() == "Why we lost\nHarbor"
    assert not Review.objects.exists()


def test_an_action_title_must_be_one_line(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("actions:action_new"),
        {
            "title": "Name a\nbackup partner",
            "owner": alice.pk,
            "due_on": (timezone.localdate() + dt.timedelta(days=7)).isoformat(),
            "priority": "normal",
        },
    )
    assert response.status_code in (200, 400)
    assert "Keep this to one line" in response.content.decode()
