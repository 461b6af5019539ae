"""CSV files for spreadsheets.

UTF-8 with a byte-order mark, without which Excel guesses the encoding and mangles
names such as "Zoë". Cells are neutralised against formula injection: a group, site or
participant name is typed by people, and one starting with = + - @ (or a tab or a
carriage return) would otherwise run as a formula in the spreadsheet of whoever opens
the file. Such a cell gets a leading apostrophe, which spreadsheets show as text.
"""

import csv
from collections.abc import Iterable, Sequence

from django.http import HttpResponse, StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value) -> object:
    """A cell's value as written: numbers as numbers, text neutralised."""
    if type(value) is str:  # most cells: the check below, without the others first
        if value.lstrip(" ").startswith(FORMULA_STARTS):
            return "'" + value
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    text = str(value)
    # Leading spaces do not stop every spreadsheet from reading a formula.
    if text.lstrip(" ").startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_response(
    *, filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([spreadsheet_safe(cell) for cell in header])
    for row in rows:
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return response


class _Line:
    """A file-like object for csv.writer that hands back each line instead of keeping it."""

    def write(self, line: str) -> str:
        return line


# Lines sent together: one write to the client per chunk rather than per line.
STREAM_CHUNK_LINES = 200


def csv_streaming_response(
    *, filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> StreamingHttpResponse:
    """Like `csv_response`, for files too long to build in memory: the rows are written
    as they are read, so `rows` should be a generator that reads in batches."""
    writer = csv.writer(_Line())

    def lines():
        chunk = ["\ufeff", writer.writerow([spreadsheet_safe(cell) for cell in header])]
        for row in rows:
            chunk.append(writer.writerow([spreadsheet_safe(cell) for cell in row]))
            if len(chunk) >= STREAM_CHUNK_LINES:
                yield "".join(chunk)
                chunk = []
        yield "".join(chunk)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
