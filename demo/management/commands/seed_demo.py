from django.core.management.base import BaseCommand
from django.db import transaction

import accounts.demo
import actions.demo
import dashboard.demo
import feedback.demo
import retrospectives.demo


class Command(BaseCommand):
    help = "Create the demo firm. Safe to run again: it updates, never duplicates."

    @transaction.atomic
    def handle(self, *args, **options):
        users = accounts.demo.seed()
        feedback.demo.seed(users=users)
        retrospectives.demo.seed(users=users)
        actions.demo.seed(users=users)
        dashboard.demo.seed(users=users)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(users)} users (password from DEMO_PASSWORD)."
            )
        )
