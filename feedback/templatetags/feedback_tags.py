import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def blame_marks(text: str, flags) -> SafeString:
    """The text, escaped, with each flagged blame phrase wrapped in <mark>."""
    text = text or ""
    spans: list[tuple[int, int]] = []
    for phrase in {flag.text for flag in flags or []}:
        pattern = r"(?<!\w)" + re.escape(phrase) + r"(?!\w)"
        spans += [m.span() for m in re.finditer(pattern, text, re.IGNORECASE)]
    spans.sort()
    out, cursor = [], 0
    for start, end in spans:
        if start < cursor:  # overlaps a phrase already marked
            continue
        out.append(escape(text[cursor:start]))
        out.append(f'<mark class="blame-mark">{escape(text[start:end])}</mark>')
        cursor = end
    out.append(escape(text[cursor:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece is escaped above
