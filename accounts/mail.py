"""Outgoing e-mail. Every message the app sends is an `Email`, whose subject is always one line:
a subject is made from things people typed (a review's title, a client's name, an action), and a
line break in a header makes Django refuse the whole message (BadHeaderError)."""

import unicodedata

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

# Mail clients show about this much of a subject; longer ones are cut at a word.
SUBJECT_MAX = 120


def subject_line(text: str) -> str:
    """`text` as one line: control characters and every run of whitespace (line breaks, tabs,
    Unicode line separators) become one space; past SUBJECT_MAX it is cut at a word, with "…"."""
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in str(text))
    line = " ".join(text.split())
    if len(line) <= SUBJECT_MAX:
        return line
    cut = line[: SUBJECT_MAX - 1]
    space = cut.rfind(" ")
    if space > SUBJECT_MAX // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—") + "…"


def render_subject(template_name: str, context: dict) -> str:
    """A subject template rendered as one line."""
    return subject_line(render_to_string(template_name, context))


class Email(EmailMultiAlternatives):
    """An e-mail (text, optionally with an HTML alternative) whose subject is made one line when
    the message is built, however it was set."""

    def message(self):
        self.subject = subject_line(self.subject)
        return super().message()
