from django.db import models


class Snapshot(models.Model):
    """A rollup: every dashboard panel for one set of filters, as of `computed_at`.

    Aggregating 100,000 interviews on each page view is too slow for a partner meeting, so the
    page reads this row; a beat task refreshes the default view, and a row older than
    SNAPSHOT_MAX_AGE is served as it is while a task refreshes it (see dashboard.services).
    """

    key = models.CharField(max_length=120, unique=True)
    data = models.JSONField()
    computed_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-computed_at"]

    def __str__(self) -> str:
        return f"Dashboard {self.key} as of {self.computed_at:%Y-%m-%d %H:%M}"
