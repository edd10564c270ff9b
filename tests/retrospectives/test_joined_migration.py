"""Rows stored before “joined” meant joining: an invitation (stamped as the review was planned,
with no note, vote or rating since) becomes an invitation; anyone who took part stays joined."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("retrospectives", "0003_breakouts_and_process_map")]
AFTER = [("retrospectives", "0004_participant_joined_at")]


@pytest.mark.django_db(transaction=True)
def test_the_joined_migration_tells_invitations_from_joins():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        _check_the_migration(executor)
    finally:
        # Leave the schema as every other test expects it: all migrations applied.
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def _check_the_migration(executor):
    old = executor.loader.project_state(BEFORE).apps
    User = old.get_model("accounts", "User")
    Review = old.get_model("retrospectives", "Review")
    Participant = old.get_model("retrospectives", "Participant")
    Contribution = old.get_model("retrospectives", "Contribution")
    people = {name: User.objects.create(username=f"m-{name}") for name in "abcd"}
    review = Review.objects.create(title="Old review", join_code="OLD123")
    planned = review.created_at
    later = planned + dt.timedelta(days=2)
    rows = {
        "invited": Participant.objects.create(review=review, user=people["a"]),
        "invited_wrote": Participant.objects.create(review=review, user=people["b"]),
        "invited_rated": Participant.objects.create(
            review=review, user=people["c"], speak_freely=4
        ),
        "joined_later": Participant.objects.create(review=review, user=people["d"]),
    }
    Participant.objects.filter(pk=rows["joined_later"].pk).update(joined_at=later)
    Participant.objects.exclude(pk=rows["joined_later"].pk).update(joined_at=planned)
    Contribution.objects.create(review=review, phase=4, text="A note", author=people["b"])

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    joined = dict(
        new.get_model("retrospectives", "Participant").objects.values_list("pk", "joined_at")
    )
    assert joined[rows["invited"].pk] is None
    assert joined[rows["invited_wrote"].pk] is not None
    assert joined[rows["invited_rated"].pk] is not None
    assert joined[rows["joined_later"].pk] == later
    assert timezone.is_aware(joined[rows["joined_later"].pk])
