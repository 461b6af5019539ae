"""Reading one part of a page as a user sees it: the text inside an element with an id,
and whether the folds (<details>) around it are open."""

from dataclasses import dataclass
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


@dataclass
class Part:
    text: str  # its text, entities decoded and white space collapsed
    folds: list[bool]  # the <details> it sits in, outermost first: True where open


class _PartParser(HTMLParser):
    def __init__(self, wanted: str) -> None:
        super().__init__(convert_charrefs=True)
        self.wanted = wanted
        self.stack: list[tuple[str, dict]] = []
        self.start: int | None = None  # depth of the wanted element while inside it
        self.done = False
        self.folds: list[bool] = []
        self.chunks: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID or self.done:
            return
        found = dict(attrs)
        if self.start is None and found.get("id") == self.wanted:
            self.folds = ["open" in a for t, a in self.stack if t == "details"]
            self.start = len(self.stack)
        self.stack.append((tag, found))

    def handle_endtag(self, tag):
        if tag in VOID or self.done:
            return
        while self.stack:
            popped, _ = self.stack.pop()
            if self.start is not None and len(self.stack) <= self.start:
                self.done = True
            if popped == tag:
                break

    def handle_data(self, data):
        if self.start is not None and not self.done:
            self.chunks.append(data)


def part(html: str, element_id: str) -> Part:
    """The element with this id; fails the test if the page has none."""
    parser = _PartParser(element_id)
    parser.feed(html)
    assert parser.start is not None, f'no element with id="{element_id}" on the page'
    return Part(text=" ".join("".join(parser.chunks).split()), folds=parser.folds)
