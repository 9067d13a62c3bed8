from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.forms import ProfileForm
from accounts.models import User
from accounts.services import update_profile


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """The signed-in user's profile: the display name students see."""
    user: User = request.user  # type: ignore[assignment]
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        update_profile(user=user, name=form.cleaned_data["name"])
        messages.success(request, "Your name is saved. Students see it from your next lecture on.")
        return redirect("accounts:profile")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/profile.html", {"form": form}, status=status)
