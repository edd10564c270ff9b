import json

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from feedback import blame

register = template.Library()


def _field(flag, name: str, default=None):
    return flag.get(name, default) if isinstance(flag, dict) else getattr(flag, name, default)


def _span(text: str, flag) -> tuple[int, int, str] | None:
    """Where the flag's words are: at its position, or (if the text changed since, say by an
    erasure) at their nearest copy; None when they are gone."""
    words, start = _field(flag, "text") or "", _field(flag, "start", 0) or 0
    if not words:
        return None
    if text[start : start + len(words)] != words:
        before, after = text.rfind(words, 0, start + len(words)), text.find(words, start)
        found = [at for at in (before, after) if at >= 0]
        if not found:
            return None
        start = min(found, key=lambda at: abs(at - start))
    return start, start + len(words), _field(flag, "kind")


@register.filter
def blame_marks(text: str, flags) -> SafeString:
    """The text, escaped, with each flagged span wrapped in <mark>."""
    text = text or ""
    spans = sorted(filter(None, (_span(text, flag) for flag in flags or [])))
    out, cursor = [], 0
    for start, end, kind in spans:
        if start < cursor:  # overlaps a span already marked
            continue
        out.append(escape(text[cursor:start]))
        out.append(f'<mark class="blame-mark" data-kind="{escape(kind)}">')
        out.append(f"{escape(text[start:end])}</mark>")
        cursor = end
    out.append(escape(text[cursor:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece is escaped above


@register.filter
def blame_groups(flags) -> list[dict]:
    """The flags by kind, in the order they first appear, each with its label and hint."""
    groups: dict[str, dict] = {}
    for flag in flags or []:
        kind = _field(flag, "kind", "")
        group = groups.setdefault(
            kind,
            {"kind": kind, "label": blame.label(kind), "hint": blame.hint(kind), "texts": []},
        )
        if _field(flag, "text") not in group["texts"]:
            group["texts"].append(_field(flag, "text"))
    return list(groups.values())


@register.filter
def blame_json(flags) -> str:
    """The flags as JSON for the page's live highlighting (positions in characters)."""
    return json.dumps(
        [
            {
                "kind": _field(flag, "kind"),
                "text": _field(flag, "text"),
                "start": _field(flag, "start", 0),
                "end": _field(flag, "end", 0),
            }
            for flag in flags or []
        ]
    )
