from .models import Role


def roles(request):
    """Role flags for the navigation bar, read once per request."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "is_partner": user.has_role(Role.PARTNER),
        "is_facilitator": user.has_role(Role.FACILITATOR),
        "is_account_manager": user.has_role(Role.ACCOUNT_MANAGER),
    }
