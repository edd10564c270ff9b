from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from feedback.models import Client
from privacy import services


class Command(BaseCommand):
    help = (
        "Erase one client's personal data: its name, interviewees, contact details and every "
        "verbatim word. Dates, fees, reasons and statuses stay for the dashboard."
    )

    def add_arguments(self, parser):
        parser.add_argument("client_id", type=int)
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, client_id: int, yes: bool, **options):
        try:
            client = Client.objects.get(pk=client_id)
        except Client.DoesNotExist as exc:
            raise CommandError(f"There is no client #{client_id}.") from exc
        if not yes:
            answer = input(
                f"Erase the personal data of client #{client.pk} ({client.name})? "
                "This cannot be undone. Type 'erase' to go on: "
            )
            if answer.strip().lower() != "erase":
                raise CommandError("Nothing erased.")
        counts = services.erase_client(client=client)
        summary = ", ".join(f"{key.replace('_', ' ')}: {value}" for key, value in counts.items())
        self.stdout.write(
            self.style.SUCCESS(f"Client #{client.pk} is now '{services.erased_name(client)}'.")
        )
        self.stdout.write(summary)
        if settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"):
            # Running web processes learn of the erasure through the shared cache; without one
            # (the embedded default) they keep their rendered pages until they restart.
            self.stdout.write(
                self.style.WARNING(
                    "The cache is not shared between processes (no CACHE_URL): restart the web "
                    "processes so they drop the pages they rendered with the client's name."
                )
            )
