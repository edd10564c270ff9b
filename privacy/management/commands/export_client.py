import json

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder

from accounts import audit
from accounts.models import AuditEvent
from feedback.models import Client
from privacy import services


class Command(BaseCommand):
    help = (
        "Print, as JSON, everything held about one client: its record, exit interviews, feedback, "
        "reviews and notes that mention it, linked actions and the audit trail of those objects."
    )

    def add_arguments(self, parser):
        parser.add_argument("client_id", type=int)

    def handle(self, *args, client_id: int, **options):
        try:
            client = Client.objects.get(pk=client_id)
        except Client.DoesNotExist as exc:
            raise CommandError(f"There is no client #{client_id}.") from exc
        data = services.export_client(client=client)
        audit.record(
            actor=None,
            verb=AuditEvent.Verb.EXPORT,
            obj=client,
            detail={"via": "manage.py export_client"},
        )
        self.stdout.write(json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False))
