"""Page links for paged lists."""


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
