from django import template

from feedback import blame

register = template.Library()


@register.filter
def clock(seconds) -> str:
    """Seconds as m:ss for the phase timer."""
    if seconds is None:
        return ""
    minutes, seconds = divmod(max(0, int(seconds)), 60)
    return f"{minutes}:{seconds:02d}"


@register.filter
def flag_label(kind: str) -> str:
    return blame.label(kind)


@register.filter
def first_name(user) -> str:
    """What the projector calls a person, to keep a group's names on one line."""
    return user.first_name or user.name.split()[0]
