from django import template

from feedback import blame

register = template.Library()

FLAG_LABELS = {
    "counterfactual": "hindsight",
    "character": "judges a person",
    "fault": "blame word",
    "person": "names a person",
}


@register.filter
def clock(seconds) -> str:
    """Seconds as m:ss for the phase timer."""
    if seconds is None:
        return ""
    minutes, seconds = divmod(max(0, int(seconds)), 60)
    return f"{minutes}:{seconds:02d}"


@register.filter
def flag_label(kind: str) -> str:
    return FLAG_LABELS.get(kind, kind)


@register.simple_tag
def rewrite_hint() -> str:
    return blame.REWRITE_HINT


@register.filter
def first_name(user) -> str:
    """What the projector calls a person, to keep a group's names on one line."""
    return user.first_name or user.name.split()[0]
