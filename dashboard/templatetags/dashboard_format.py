"""How the dashboard writes its numbers: whole dollars, percentages, one-decimal days."""

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

register = template.Library()


@register.filter
def dollars(value) -> str:
    if value is None or value == "":
        return "—"
    return f"${intcomma(round(float(value)))}"


@register.filter
def percent(value) -> str:
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.0f} %"


@register.filter
def number(value) -> str:
    if value is None or value == "":
        return "—"
    return f"{value:g}" if isinstance(value, float) else intcomma(value)
