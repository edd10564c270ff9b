from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People and audit"

    def ready(self):
        from . import middleware  # noqa: F401  (connects the login signal that renews sessions)
