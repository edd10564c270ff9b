from django.db import models
from django.db.models.lookups import In


@models.IntegerField.register_lookup
class IntegerFieldIn(In):
    """`pk__in=[...]` that leaves out numbers the column cannot hold, as Django's own `exact`,
    `gt` and `lt` lookups on integer fields do (IntegerFieldOverflow). Without it a form that
    picks several objects by id (ModelMultipleChoiceField) turns a posted 2**70 into a server
    error: OverflowError on SQLite, "bigint out of range" on PostgreSQL."""

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(
                self.lhs.output_field.get_internal_type()
            )
            self.rhs = [value for value in self.rhs if not _outside(value, low, high)]
        return super().process_rhs(compiler, connection)


def _outside(value, low, high) -> bool:
    if not isinstance(value, int):
        return False
    return (low is not None and value < low) or (high is not None and value > high)
