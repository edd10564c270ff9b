"""The one role check for views. A person without the role gets 404, as if the page did not
exist, like every other refusal in learnorg."""

from functools import wraps

from django.http import Http404

from .models import Role


def role_required(*roles: Role):
    """Let the view run only for active people holding one of `roles` (or admins)."""
    if not roles:
        raise TypeError("role_required() needs at least one role.")

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not (user.is_authenticated and user.has_any_role(*roles)):
                raise Http404("No such page.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
