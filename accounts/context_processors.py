from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, reverse

from .models import Role

# The links of the navigation bar (templates/includes/navbar.html and each app's _nav.html),
# reversed once per process: every page shows about twenty, and reversing them on each view cost
# more than rendering the rest of the bar.
NAV_URLS = [
    "home",
    "admin:index",
    "accounts:password_change",
    "accounts:api_tokens",
    "accounts:logout",
    "feedback:client_list",
    "feedback:interview_list",
    "feedback:feedback_triage",
    "feedback:save_list",
    "feedback:learning_check",
    "feedback:suggestion_new",
    "feedback:suggestion_mine",
    "feedback:suggestion_triage",
    "retrospectives:review_list",
    "retrospectives:join_code",
    "retrospectives:lesson_list",
    "retrospectives:audit_list",
    "actions:action_mine",
    "actions:action_list",
    "actions:notification_list",
    "actions:notification_settings",
    "dashboard:index",
]


@lru_cache
def _nav_urls(script_prefix: str) -> dict[str, str]:
    return {name.replace(":", "_"): reverse(name) for name in NAV_URLS}


def navigation(request):
    """`nav.<app>_<name>`: the navigation bar's links."""
    return {"nav": _nav_urls(get_script_prefix())}


def roles(request):
    """Role flags for the navigation bar, read once per request, and whether the person has a
    password to change (not one who signs in only through single sign-on)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "is_partner": user.has_role(Role.PARTNER),
        "is_facilitator": user.has_role(Role.FACILITATOR),
        "is_account_manager": user.has_role(Role.ACCOUNT_MANAGER),
        "can_change_password": user.has_usable_password()
        and (settings.LOCAL_PASSWORDS or user.is_superuser),
    }
