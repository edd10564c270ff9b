from django.db import migrations
from django.db.models import Q
from django.db.models.functions import Coalesce, Now


def handle_replied_responses(apps, schema_editor):
    """A response the client was answered about is handled (replying now marks it so)."""
    FeedbackResponse = apps.get_model("feedback", "FeedbackResponse")
    FeedbackResponse.objects.filter(
        ~Q(reply_text="") | Q(reply_sent_at__isnull=False), triage="new"
    ).update(triage="handled", handled_at=Coalesce("reply_sent_at", Now()))


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0007_one_counted_interview_per_loss"),
    ]

    operations = [
        migrations.RunPython(handle_replied_responses, migrations.RunPython.noop),
    ]
