"""Recording pages: the lecture layout egress records, and signed downloads."""

from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from lectures import storage
from recordings.downloads import DownloadLinkInvalid, read_download_link


@require_GET
@xframe_options_exempt
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
    """A recording's file through a short-lived signed link (streamed locally, presigned on S3)."""
    try:
        recording = read_download_link(token)
    except DownloadLinkInvalid as exc:
        raise Http404(str(exc)) from None
    if storage.stored_size(key=recording.storage_key) is None:
        raise Http404("The recording's file is missing from storage.")
    return storage.download_response(
        key=recording.storage_key, filename=recording.download_name, content_type=recording.content_type
    )
