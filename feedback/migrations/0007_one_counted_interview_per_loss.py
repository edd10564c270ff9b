from django.db import migrations, models


class Migration(migrations.Migration):
    """Apart from 0006: PostgreSQL builds no index in a transaction that has just updated the
    table."""

    dependencies = [
        ("feedback", "0006_one_loss_per_client_and_date"),
    ]

    operations = [
        migrations.AddIndex(
            model_name='exitinterview',
            index=models.Index(condition=models.Q(('status', 'final'), ('superseded_at__isnull', True)), fields=['lost_on'], name='interview_counted_losses'),
        ),
        migrations.AddConstraint(
            model_name='exitinterview',
            constraint=models.UniqueConstraint(condition=models.Q(('lost_on__isnull', False), ('status', 'final'), ('superseded_at__isnull', True)), fields=('client', 'lost_on'), name='one_counted_interview_per_loss'),
        ),
    ]
