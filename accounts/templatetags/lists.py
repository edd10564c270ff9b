"""Links a list page builds from its own query string."""

from django import template

from accounts.csv_export import CSV_FORMAT

register = template.Library()


@register.simple_tag(takes_context=True)
def csv_url(context) -> str:
    """This list, with the filters on screen, as a CSV download (every row, not the page)."""
    query = context["request"].GET.copy()
    query.pop("page", None)
    query["format"] = CSV_FORMAT
    return "?" + query.urlencode()
