from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = "Clients and feedback"

    def ready(self):
        from accounts.models import Office, User

        from .blame import names

        # The nudges' copy of who is who must not outlive a renamed or deactivated person.
        for model in (User, Office):
            for signal in (post_save, post_delete):
                signal.connect(names.forget_people, sender=model, dispatch_uid=f"blame-{model}")
