import pytest
from django.core import mail

from accounts.mail import SUBJECT_MAX, Email, subject_line


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Review report: Q3", "Review report: Q3"),
        ("  Why we lost\r\nHarbor  ", "Why we lost Harbor"),
        ("tabs\tand\u2028separators\u2029and\x85next", "tabs and separators and next"),
        ("a NUL\x00and a bell\x07", "a NUL and a bell"),
        ("Café — 🙂", "Café — 🙂"),
        ("", ""),
    ],
)
def test_subject_line_makes_a_subject_one_line(text, expected):
    assert subject_line(text) == expected


def test_subject_line_cuts_a_long_subject_at_a_word():
    line = subject_line("Review report: " + "busy season escalation " * 20)
    assert len(line) <= SUBJECT_MAX
    assert line.endswith("escalation…") or line.endswith("season…") or line.endswith("busy…")


def test_subject_line_cuts_one_long_word_too():
    assert subject_line("x" * 500) == "x" * (SUBJECT_MAX - 1) + "…"


def test_an_email_is_sent_with_a_one_line_subject_however_it_was_set():
    message = Email("first", "body", to=["a@example.com"])
    message.subject = "Line\none"
    message.send()
    assert mail.outbox[0].message()["Subject"] == "Line one"
