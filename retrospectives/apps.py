from django.apps import AppConfig


class RetrospectivesConfig(AppConfig):
    name = "retrospectives"
    verbose_name = "After-action reviews"
