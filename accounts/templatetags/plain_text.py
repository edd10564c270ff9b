"""Filters for plain-text templates (e-mail bodies), where every line break in the template is one
in the message."""

from django import template

register = template.Library()


@register.filter(is_safe=True)
def oneline(value: str) -> str:
    """Every run of white space as one space, so a long sentence of a text e-mail can be written
    over several template lines: `{% filter oneline %}…{% endfilter %}`."""
    return " ".join(str(value).split())
