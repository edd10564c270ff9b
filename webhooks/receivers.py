from django.dispatch import receiver

from accounts.events import event_emitted

from . import services


@receiver(event_emitted, dispatch_uid="webhooks.record_deliveries")
def _record_deliveries(sender, name, build, **kwargs):
    services.record_deliveries(event=name, build=build)
