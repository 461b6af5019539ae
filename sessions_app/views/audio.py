"""Every audio response: the whole file, or the byte range a player asked for.

Phones seek in a song by asking for a byte range (`Range: bytes=1000-`), and iOS Safari
will not play long audio from a server that cannot answer one. So every audio view
(a take, a dedication, a melody idea, the family's song) answers through
`audio_response`: `206 Partial Content` with `Content-Range` for one satisfiable range,
`416` with `Content-Range: bytes */size` for a range past the end, the whole file (200)
otherwise, and always `Accept-Ranges: bytes`. Permission checks stay in the views,
before this is called; nothing of it is kept by a browser or a proxy (`no-store`).

Several ranges in one request (`bytes=0-1,5-9`) get the whole file: a multipart answer
is allowed to be skipped, and no audio player asks for one.
"""

import re
from collections.abc import Iterator
from typing import BinaryIO

from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

CHUNK = 64 * 1024
_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)


def byte_range(header: str, size: int) -> tuple[int, int] | None | bool:
    """The (first, last) byte of a one-range `Range` header, both included; None when
    the header is absent, malformed or asks for several ranges (the whole file is
    sent); False when the range cannot be satisfied (416)."""
    match = _RANGE.match(header or "")
    if not match:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # a suffix: the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            return False
        return max(size - length, 0), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None  # not a valid range: ignored, as RFC 9110 says
    if start >= size:
        return False
    return start, min(end, size - 1)


def _slice(handle: BinaryIO, start: int, length: int) -> Iterator[bytes]:
    try:
        handle.seek(start)
        while length > 0:
            chunk = handle.read(min(CHUNK, length))
            if not chunk:
                break
            length -= len(chunk)
            yield chunk
    finally:
        handle.close()


def audio_response(
    request: HttpRequest,
    handle: BinaryIO,
    *,
    size: int,
    content_type: str,
    filename: str,
    as_attachment: bool = False,
) -> HttpResponse:
    """The audio in `handle` (opened, `size` bytes long) as the request's Range asks."""
    # An If-Range can only match a validator we sent; we send none, so a request with
    # one gets the whole file, as it would from a file that changed.
    wanted = None if "HTTP_IF_RANGE" in request.META else request.META.get("HTTP_RANGE", "")
    span = byte_range(wanted, size) if wanted else None
    if span is False:
        handle.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
    elif span is None:
        response = FileResponse(handle, content_type=content_type)
        response["Content-Length"] = str(size)
    else:
        start, end = span
        response = StreamingHttpResponse(
            _slice(handle, start, end - start + 1), status=206, content_type=content_type
        )
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    if response.status_code != 416:
        response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
