import datetime as dt

from django.db import migrations, models
from django.db.models import Exists, OuterRef

# Invitations were stored in the same moment the review was planned; a row stamped within this
# long of its review's creation, that never added a note, voted or rated, was an invitation.
PLANNING_WINDOW = dt.timedelta(minutes=1)


def forget_invitations_as_joins(apps, schema_editor):
    Participant = apps.get_model("retrospectives", "Participant")
    Contribution = apps.get_model("retrospectives", "Contribution")
    Vote = apps.get_model("retrospectives", "Vote")
    rows = (
        Participant.objects.filter(speak_freely__isnull=True, joined_at__isnull=False)
        .annotate(
            wrote=Exists(
                Contribution.objects.filter(
                    review_id=OuterRef("review_id"), author_id=OuterRef("user_id")
                )
            ),
            voted=Exists(
                Vote.objects.filter(review_id=OuterRef("review_id"), user_id=OuterRef("user_id"))
            ),
        )
        .filter(wrote=False, voted=False)
        .select_related("review")
    )
    invited = [
        row.pk
        for row in rows.iterator()
        if abs(row.joined_at - row.review.created_at) <= PLANNING_WINDOW
    ]
    for start in range(0, len(invited), 500):
        Participant.objects.filter(pk__in=invited[start : start + 500]).update(joined_at=None)


class Migration(migrations.Migration):
    dependencies = [
        ("retrospectives", "0003_breakouts_and_process_map"),
    ]

    operations = [
        migrations.AlterField(
            model_name="participant",
            name="joined_at",
            field=models.DateTimeField(
                blank=True, help_text="When they joined; empty while only invited.", null=True
            ),
        ),
        migrations.RunPython(forget_invitations_as_joins, migrations.RunPython.noop),
    ]
