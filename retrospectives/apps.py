from django.apps import AppConfig


class RetrospectivesConfig(AppConfig):
    name = "retrospectives"
    verbose_name = "After-action reviews"

    def ready(self) -> None:
        # Live screens follow every change to what they show, however it was made.
        from . import freshness

        freshness.connect()
