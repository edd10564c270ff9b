from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People and audit"

    def ready(self):
        # Connects the login signal that renews sessions and the Celery signals that carry a
        # request's id into its tasks; registers the overflow-safe `in`.
        from . import logs, lookups, middleware  # noqa: F401
