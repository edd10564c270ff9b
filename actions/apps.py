from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "actions"
    verbose_name = "Improvement actions"

    def ready(self):
        from accounts import caching

        from .models import Action

        # The action list's owner menu names whoever owns an action (actions.forms).
        caching.follow("action-owners", Action, fields=("owner",))
