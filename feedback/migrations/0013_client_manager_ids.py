"""An account manager's client ids from an index alone: (account_manager, id) replaces the index
on account_manager, which it covers. The interview visibility of an account manager joins these
ids (feedback.models.ExitInterviewQuerySet.visible_to); read from the table they cost a visit to
each of their clients, scattered over it (or a scan of every client)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_unread_notifications"),
        ("feedback", "0012_feedback_comments"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The new index first: lookups by manager always have one.
        migrations.AddIndex(
            model_name="client",
            index=models.Index(fields=["account_manager", "id"], name="client_manager_ids"),
        ),
        migrations.AlterField(
            model_name="client",
            name="account_manager",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="managed_clients",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]
