from dataclasses import dataclass
from functools import cached_property

from django.core.paginator import Paginator


@dataclass(frozen=True)
class Counted:
    """A count of the same rows made before paging (a search counting whether to rank): `rows`
    found when counting at most `most`."""

    rows: int
    most: int


class CappedPaginator(Paginator):
    """Pages of a long list that count at most `lookahead` pages past the page asked for.

    "Page 1 of 5,000" means counting all 250,000 actions, which costs more than the page itself.
    This counts up to the end of page `number + lookahead` (one index pass over at most that many
    rows) and says "or more" beyond it, so the first page is as fast at 100,000 rows as at 100 and
    Next always leads on while there is more.
    """

    def __init__(
        self,
        object_list,
        per_page,
        *,
        number,
        lookahead: int = 10,
        counted: Counted | None = None,
        **kwargs,
    ):
        super().__init__(object_list, per_page, **kwargs)
        self.known = counted
        try:
            asked = max(1, int(number))
        except (TypeError, ValueError):
            asked = 1
        self.limit = min(asked + lookahead, 10**9 // per_page) * per_page

    @cached_property
    def counted(self) -> int:
        known = self.known
        # A count made before answers when it found them all or looked past this limit.
        if known and (known.rows < known.most or known.most > self.limit):
            return min(known.rows, self.limit + 1)
        # Unordered: counting needs no sort, and without one the database stops at the limit
        # instead of sorting every matching row first (an account manager's 1,000 clients).
        return self.object_list.order_by()[: self.limit + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self.counted, self.limit)

    @property
    def capped(self) -> bool:
        """True when there are more rows than were counted."""
        return self.counted > self.limit
