"""Error pages that never show debug output: a view's Http404 renders 404.html even with DEBUG on."""

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render


class FriendlyNotFoundMiddleware:
    """Turn Http404 raised by page views into the styled 404 page (the JSON API answers by itself)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, Http404) or request.path.startswith("/api/"):
            return None
        return render(request, "404.html", status=404)
