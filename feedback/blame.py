"""Blame-language nudges (DESIGN.md §5): the one detector used by exit interviews and review notes.

Nothing is ever blocked; the flags feed a gentle rewrite hint for the author and a marker for the
facilitator.
"""

import re
from dataclasses import dataclass

from accounts.models import User

REWRITE_HINT = (
    "Try describing the situation and what made it make sense at the time, "
    "rather than what someone should have done."
)

COUNTERFACTUAL = (
    "should have",
    "should've",
    "shouldn't have",
    "could have",
    "could've",
    "would have",
    "would've",
    "failed to",
    "didn't bother",
    "did not bother",
)
CHARACTER = ("careless", "lazy", "sloppy", "incompetent", "stupid", "useless", "negligent")
FAULT = ("fault", "blame", "blamed", "screwed up", "messed up", "dropped the ball")

_PATTERNS = {
    kind: re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)
    for kind, words in {
        "counterfactual": COUNTERFACTUAL,
        "character": CHARACTER,
        "fault": FAULT,
    }.items()
}


@dataclass(frozen=True)
class BlameFlag:
    kind: str  # counterfactual, character, fault or person
    text: str  # the words as written

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "text": self.text}


def person_names(users=None) -> list[str]:
    """Names that identify a firm user: display names, full names and usernames of 3+ letters."""
    if users is None:
        users = User.objects.filter(is_active=True).only(*User.NAME_FIELDS)
    names: set[str] = set()
    for user in users:
        for name in (user.display_name, user.get_full_name(), user.first_name, user.username):
            if name and len(name.strip()) >= 3:
                names.add(name.strip())
    # Longest first, so "Alice Moreno" is reported rather than "Alice".
    return sorted(names, key=len, reverse=True)


def find_names(text: str, names: list[str]) -> list[str]:
    """Which of `names` appear in `text` as whole words (case-insensitive)."""
    found: list[str] = []
    for name in names:
        if any(name.lower() in already.lower() for already in found):
            continue
        if re.search(r"(?<!\w)" + re.escape(name) + r"(?!\w)", text, re.IGNORECASE):
            found.append(name)
    return found


def detect(text: str, *, names: list[str] | None = None) -> list[BlameFlag]:
    """Blame language in `text`, in the order it appears. Pass `names` to reuse one lookup of
    the firm's people across many texts; by default they are read from the database."""
    if not text:
        return []
    flags = [
        (match.start(), BlameFlag(kind, match.group(0)))
        for kind, pattern in _PATTERNS.items()
        for match in pattern.finditer(text)
    ]
    flags.sort(key=lambda pair: pair[0])
    found = [flag for _, flag in flags]
    names = person_names() if names is None else names
    found += [BlameFlag("person", name) for name in find_names(text, names)]
    return found
