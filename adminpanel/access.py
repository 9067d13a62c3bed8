"""Only accounts with the ADMIN role reach the admin dashboard."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render


def admin_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Anonymous visitors go to the login page; logged-in non-admins get 403."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_admin:  # type: ignore[union-attr]
            return render(request, "403.html", {"message": "The admin dashboard is for admins."}, status=403)
        return view(request, *args, **kwargs)

    return wrapped
