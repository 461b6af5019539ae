"""Paging for lists: page links for counted lists, and pages of lists never counted."""

from dataclasses import dataclass

from django.db.models import QuerySet


def page_links(number: int, num_pages: int) -> list[int | None]:
    """The page numbers to link to: the first, the last and two either side of the
    current one; None where pages are left out (“…”). Worked out here rather than by
    looping over every page in the template, which grows with the list."""
    links: list[int | None] = []
    for n in sorted({1, num_pages, *range(number - 3, number + 4)}):
        if not 1 <= n <= num_pages:
            continue
        if abs(n - number) <= 2 or n in (1, num_pages):
            links.append(n)
        else:  # number ± 3, and neither the first nor the last page
            links.append(None)
    return links


# Past this a page number is nonsense (and its OFFSET would overflow PostgreSQL's bigint).
MAX_SLICE_PAGE = 100_000


@dataclass
class Slice:
    """One page of a list that is never counted: `per_page + 1` rows are read to know
    whether an older page exists, so a page costs the same on a table of any size."""

    object_list: list
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1


def slice_page(rows: QuerySet, number: str | None, per_page: int) -> Slice:
    """Page `number` (1 when missing or not a positive whole number) of ordered `rows`."""
    try:
        n = min(max(int(number or 1), 1), MAX_SLICE_PAGE)
    except ValueError:
        n = 1
    start = (n - 1) * per_page
    found = list(rows[start : start + per_page + 1])
    return Slice(found[:per_page], n, len(found) > per_page)
