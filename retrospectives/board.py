"""The why board: the notes of the "why" phase grouped by the cause they are tagged with, as
the console and the presenter show them, and the five-whys chain the screens dig into."""

from dataclasses import dataclass, field

from feedback.models import LossReason

from .models import Contribution


@dataclass
class CauseGroup:
    """The notes tagged with one cause; `cause` is None for the notes not yet grouped."""

    cause: LossReason | None
    notes: list[Contribution] = field(default_factory=list)

    @property
    def key(self) -> str:
        return str(self.cause.pk) if self.cause else ""

    @property
    def name(self) -> str:
        return self.cause.name if self.cause else "Not yet grouped"

    @property
    def votes(self) -> int:
        return sum(note.vote_count for note in self.notes)


def cause_groups(
    notes: list[Contribution], causes: list[LossReason], *, keep_empty: bool
) -> list[CauseGroup]:
    """The notes (with `vote_count`) by cause: the ungrouped first, then causes in the
    taxonomy's order, which stays put while notes move. `keep_empty` keeps every cause, so
    that the console can drop a note on one no note has yet; a cause no longer offered stays
    while a note still has it."""
    groups = {None: CauseGroup(None)}
    groups |= {cause.pk: CauseGroup(cause) for cause in causes}
    for note in notes:
        if note.cause_id not in groups:
            groups[note.cause_id] = CauseGroup(note.cause)
        groups[note.cause_id].notes.append(note)
    ordered = [groups.pop(None)] + sorted(
        groups.values(), key=lambda g: (g.cause.position, g.cause.name)
    )
    if keep_empty:
        return ordered
    return [group for group in ordered if group.notes]
