"""The e-mails the admin console sends: a link to choose a password (a reset, or an invitation)."""

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse

from accounts.models import User


def password_link(user: User) -> str:
    """allauth's own reset-from-key link for this account (single use, expires with PASSWORD_RESET_TIMEOUT)."""
    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)},
    )
    return settings.SITE_URL + path


def mail_password_link(*, user: User, invited_by: User | None) -> None:
    if invited_by is None:
        subject = "Choose a new Lectern password"
        opening = "An administrator asked Lectern to let you choose a new password."
    else:
        subject = "You are invited to Lectern"
        opening = f"{invited_by.display_name} invited you to host lectures on Lectern."
    body = f"{opening}\n\nChoose your password here:\n{password_link(user)}\n\nThe link works once."
    send_mail(subject, body, None, [user.email])
