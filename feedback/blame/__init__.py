"""Blame-language nudges: the one detector used by exit interviews, review notes
and the lesson-publishing check.

Nothing is ever blocked. Each flag says which kind of blame it found, the words as written and
where they are, so a page can highlight them and show the rewrite hint that fits the kind:

- hindsight: "should have called", "could've caught it", "if only", "had sales checked …, they
  would …", "why didn't anyone", "nobody bothered";
- character: a judgement of a person ("careless", "doesn't care", "asleep at the wheel");
- generalisation: one event made a trait ("as usual", "typical of", "sales always …");
- cause: a person, team or function as the cause ("sales over-promised", "management was
  unreachable", "Fran's mistake", "the junior who prepared it forgot");
- excuse: the cause moved outside the firm ("difficult client", "the client was unreasonable");
- name: a colleague's name in a note, where a role would do.

Rules are regular expressions over folded text (rules.py, text.py) rather than a language model:
every flag can be explained by the rule that made it, nothing is downloaded, and a 300-character
note is checked in a fraction of a millisecond (see `make bench`). tests/feedback/blame_corpus.txt
measures precision and recall per kind.
"""

from dataclasses import dataclass

from . import names as name_lookup
from .names import NameIndex
from .rules import FOR_THINGS_TOO, NAME, REPORTED, RULES, SOMEONE, THING
from .text import fold

KINDS = {
    "hindsight": (
        "hindsight",
        "Hindsight makes the right move look obvious. What did people know then, and what "
        "made their choice make sense at the time?",
    ),
    "character": (
        "judges a person",
        "This judges a person. Describe what they did and what they were working with: "
        "the workload, the information, the tools.",
    ),
    "generalisation": (
        "makes it a trait",
        "This turns one event into a habit. Describe this occasion: what happened, when, "
        "and what was in the way.",
    ),
    "cause": (
        "a person or team as the cause",
        "This puts the cause on a person or a team. Describe the situation they were in: what "
        "was asked of them, what they knew, and what got in the way.",
    ),
    "excuse": (
        "moves the cause outside",
        "This puts the cause outside the firm. Check it against what the client said: what "
        "part of it was ours to notice or to change?",
    ),
    "name": (
        "names a person",
        "Notes are about the system, not the person: name the role instead (the preparer, "
        "the reviewing partner).",
    ),
}
# Kinds stored on notes written before the kinds above.
OLD_LABELS = {"counterfactual": "hindsight", "fault": "blame word", "person": "names a person"}
REWRITE_HINT = (
    "Try describing the situation and what made it make sense at the time, "
    "rather than what someone should have done."
)


def label(kind: str) -> str:
    return KINDS[kind][0] if kind in KINDS else OLD_LABELS.get(kind, kind)


def hint(kind: str) -> str:
    return KINDS[kind][1] if kind in KINDS else REWRITE_HINT


@dataclass(frozen=True)
class BlameFlag:
    kind: str  # one of KINDS
    text: str  # the words as written
    start: int = 0  # where they are in the text (in characters)
    end: int = 0

    @property
    def label(self) -> str:
        return label(self.kind)

    @property
    def hint(self) -> str:
        return hint(self.kind)

    def as_dict(self) -> dict:
        return {"kind": self.kind, "text": self.text, "start": self.start, "end": self.end}


def detect(text: str, *, names: NameIndex | None = None) -> list[BlameFlag]:
    """Blame language in `text`, in the order it appears. `names` is the index of the firm's
    people and offices (by default the one kept for the nudges; see names.py)."""
    if not text or not text.strip():
        return []
    index = name_lookup.people() if names is None else names
    folded = fold(text)
    found = index.find_folded(folded)
    blanked = list(folded.text)
    for start, end, _ in found:
        blanked[start:end] = NAME * (end - start)
    blanked_text = "".join(blanked)

    spans: list[tuple[int, int, str]] = []
    for kind, rule, needles in RULES:
        if needles is not None and not any(needle in blanked_text for needle in needles):
            continue
        for match in rule.finditer(blanked_text):
            start, end = match.span()
            while start < end and blanked_text[start] == " ":
                start += 1
            # An excuse is only an excuse ("nothing we could have done" is not hindsight too).
            if start >= end or _inside(spans, start, end, ("excuse", kind)):
                continue
            sentence = max(blanked_text.rfind(stop, 0, start) for stop in ".!?;")
            if REPORTED.search(blanked_text, sentence + 1, start):
                continue
            if kind == "character" and _about_a_thing(blanked_text, sentence + 1, start, end):
                continue
            spans.append((start, end, kind))
    for start, end, name in found:
        if name.kind == "person" and not any(s <= start and end <= e for s, e, _ in spans):
            spans.append((start, end, "name"))
    spans.sort()
    flags = []
    for start, end, kind in spans:
        first, last = folded.span(start, end, text)
        flags.append(BlameFlag(kind, text[first:last], first, last))
    return flags


def _about_a_thing(text: str, sentence: int, start: int, end: int) -> bool:
    return bool(
        FOR_THINGS_TOO.match(text, start, end)
        and THING.search(text, sentence, start)
        and not SOMEONE.search(text, sentence, start)
    )


def _inside(spans, start: int, end: int, kinds: tuple[str, ...]) -> bool:
    return any(k in kinds and s <= start and end <= e for s, e, k in spans)


def names_in(text: str, *, names: NameIndex) -> list[str]:
    """The names in `text`, as written, each once (for messages such as "Remove: …")."""
    seen: dict[str, str] = {}
    for match in names.find(text):
        seen.setdefault(" ".join(match.written.split()).casefold(), " ".join(match.written.split()))
    return list(seen.values())


__all__ = ["KINDS", "BlameFlag", "NameIndex", "detect", "hint", "label", "names_in"]
