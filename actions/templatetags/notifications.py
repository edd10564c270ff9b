"""The bell in the navigation: how many notifications this person has not read."""

from django import template

from actions import notifications

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> str:
    """The unread count as the bell shows it: "" for none, "99+" past UNREAD_SHOWN."""
    count = notifications.unread_count(context["request"].user)
    if count > notifications.UNREAD_SHOWN:
        return f"{notifications.UNREAD_SHOWN}+"
    return str(count) if count else ""
