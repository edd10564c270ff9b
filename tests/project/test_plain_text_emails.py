"""Subjects and plain-text bodies are not HTML: "Smith & Jones" stays "Smith & Jones", not
"Smith &amp; Jones"."""

import datetime as dt

import pytest
from django.template.loader import render_to_string

NAME = "Smith & Jones <Tax>"
TEMPLATES = [
    ("emails/feedback_reply_subject.txt", {"client": {"name": NAME}}),
    ("emails/reminder_subject.txt", {"items": [{"kind": "due", "action": {"title": NAME}}]}),
    ("emails/reminder_subject.txt", {"items": [{"kind": "recheck", "action": {"title": NAME}}]}),
    (
        "emails/review_invitation_subject.txt",
        {"review": {"title": NAME, "scheduled_for": dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)}},
    ),
    ("emails/review_report_subject.txt", {"review": {"title": NAME}}),
    (
        "registration/password_reset_email.txt",
        {"user": {"name": NAME}, "site_url": "https://x", "uid": "MQ", "token": "t"},
    ),
]


@pytest.mark.parametrize(("template", "context"), TEMPLATES)
def test_plain_text_is_not_html_escaped(template, context):
    text = render_to_string(template, context)
    assert NAME in text
    assert "&amp;" not in text and "&lt;" not in text
