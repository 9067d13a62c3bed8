"""Recording pages: the lecture layout egress records, and signed downloads."""

import re
from collections.abc import Iterator

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core import storage
from recordings.downloads import DownloadLinkInvalid, read_download_link


@require_GET
def layout(request: HttpRequest) -> HttpResponse:
    """The page egress's Chromium opens (custom_base_url): it reads `url` and `token` from its own query
    string in the browser and draws the lecture. The page itself holds nothing secret."""
    captions = request.GET.get("captions", "1") != "0"
    response = render(request, "recordings/layout.html", {"captions": captions})
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
def download(request: HttpRequest, token: str) -> HttpResponseBase:
    """A recording's file through a short-lived signed link (streamed locally, presigned on S3).

    Locally, a Range request (a <video> seeking) gets just that part (206)."""
    try:
        recording = read_download_link(token)
    except DownloadLinkInvalid as exc:
        raise Http404(str(exc)) from None
    size = storage.stored_size(key=recording.storage_key)
    if size is None:
        raise Http404("The recording's file is missing from storage.")
    wanted = _byte_range(request.headers.get("Range", ""), size)
    if wanted is not None and settings.STORAGE_BACKEND == "local":
        return _partial(recording.storage_key, recording.content_type, wanted, size)
    response = storage.download_response(
        key=recording.storage_key, filename=recording.download_name, content_type=recording.content_type
    )
    response["Accept-Ranges"] = "bytes"
    return response


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_CHUNK = 256 * 1024


def _byte_range(header: str, size: int) -> tuple[int, int] | None:
    """The first byte range of a Range header as (first, last), inclusive; None when absent or unusable."""
    match = _RANGE.match(header.strip())
    if not match or size == 0 or not (match[1] or match[2]):
        return None
    if match[1]:
        first, last = int(match[1]), int(match[2]) if match[2] else size - 1
    else:
        first, last = max(size - int(match[2]), 0), size - 1
    last = min(last, size - 1)
    return (first, last) if first <= last else None


def _partial(key: str, content_type: str, wanted: tuple[int, int], size: int) -> StreamingHttpResponse:
    first, last = wanted

    def chunks() -> Iterator[bytes]:
        with storage.open_stream(key=key) as handle:
            handle.seek(first)
            remaining = last - first + 1
            while remaining > 0:
                chunk = handle.read(min(_CHUNK, remaining))
                if not chunk:
                    return
                remaining -= len(chunk)
                yield chunk

    response = StreamingHttpResponse(chunks(), status=206, content_type=content_type)
    response["Content-Range"] = f"bytes {first}-{last}/{size}"
    response["Content-Length"] = str(last - first + 1)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, no-store"
    return response
