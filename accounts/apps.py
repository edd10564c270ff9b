from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People and audit"

    def ready(self):
        # Connects the login signal that renews sessions; registers the overflow-safe `in`.
        from . import lookups, middleware  # noqa: F401
