from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = "Lessons dashboard"

    def ready(self):
        from accounts import caching

        from .models import Goal

        # Pages keep the rendered goals under their version (dashboard.goals).
        caching.follow("goals", Goal)
