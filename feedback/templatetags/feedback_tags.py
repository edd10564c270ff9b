import json

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from feedback import blame

register = template.Library()


def _field(flag, name: str, default=None):
    return flag.get(name, default) if isinstance(flag, dict) else getattr(flag, name, default)


@register.filter
def blame_marks(text: str, flags) -> SafeString:
    """The text, escaped, with each flagged span wrapped in <mark>."""
    text = text or ""
    spans = sorted(
        (_field(flag, "start", 0), _field(flag, "end", 0), _field(flag, "kind"))
        for flag in flags or []
        if _field(flag, "end", 0) > _field(flag, "start", 0)
    )
    out, cursor = [], 0
    for start, end, kind in spans:
        if start < cursor or text[start:end] == "":  # overlaps a span already marked
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
