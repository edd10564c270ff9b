from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = "Clients and feedback"

    def ready(self):
        from accounts import caching

        from .models import LossReason, ServiceLine

        # Service lines and loss reasons are offered by kept menus, like offices (accounts.apps).
        caching.follow("reference", ServiceLine, LossReason)
