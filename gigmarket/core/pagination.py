"""A paginator for province-wide lists that does not count millions of rows on every page.

Django's `Paginator` runs `SELECT COUNT(*)` over the whole filtered list on every page: at
provincial scale (5 million matches) that scan costs more than the page itself. Above
`CAP` rows nobody pages to the end; they narrow the filters. `CappedPaginator` counts at
most `CAP + 1` rows (`SELECT COUNT(*) FROM (SELECT id … LIMIT 10001)`), so the count costs
the same at any scale, and shows "共 10000+ 条" above the cap. Still one query.
"""

from functools import cached_property

from django.core.paginator import Paginator

CAP = 10_000


class CappedCount(int):
    """The cap, printed as "10000+" (the shared pagination template shows "共 {{ count }} 条")."""

    def __str__(self):
        return f"{int(self)}+"


class CappedPaginator(Paginator):
    """Exact counts up to `cap` rows; above it the count is `CappedCount(cap)` and the pages
    stop at the cap (the last page shows rows up to the cap)."""

    def __init__(self, object_list, per_page, *, cap=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = CAP if cap is None else cap

    @property
    def is_capped(self):
        return isinstance(self.count, CappedCount)

    @cached_property
    def count(self):
        # Only the ids, without the list's joins for display and its annotations.
        limited = self.object_list.order_by().values("pk")[: self.cap + 1]
        n = limited.count()
        return CappedCount(self.cap) if n > self.cap else n
