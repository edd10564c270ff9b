from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self):
        # Listens to accounts.events: records a delivery for each webhook that wants the event.
        from . import receivers  # noqa: F401
