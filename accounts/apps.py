from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People and audit"

    def ready(self):
        # Connects the login signal that renews sessions and the Celery signals that carry a
        # request's id into its tasks; registers the overflow-safe `in`.
        from . import caching, logs, lookups, middleware  # noqa: F401
        from .models import Office, User

        # People's names, roles and offices: menus and the blame nudges keep them (caching).
        caching.follow("reference", User, fields=(*User.NAME_FIELDS, "is_active"))
        caching.follow("reference", Office, User.groups.through)
