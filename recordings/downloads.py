"""Short-lived signed download links for recordings: never a guessable path.

The link names one recording and one storage key and expires after RECORDING_DOWNLOAD_TTL seconds;
the bytes then come through the storage boundary (streamed locally, a presigned GET on S3).
"""

import time

from django.conf import settings
from django.core import signing
from django.urls import reverse

from recordings.models import Recording

_SALT = "lectern.recordings.download"


class DownloadLinkInvalid(Exception):
    """A download link that was altered, has expired, or names a recording that changed."""


def download_path(recording: Recording) -> str:
    """A signed, expiring path (relative to the site) from which the recording's file downloads."""
    expires = int(time.time()) + settings.RECORDING_DOWNLOAD_TTL
    token = signing.dumps({"r": recording.pk, "k": recording.storage_key, "e": expires}, salt=_SALT)
    return reverse("recordings:download", kwargs={"token": token})


def read_download_link(token: str) -> Recording:
    """The ready recording a link was signed for, or DownloadLinkInvalid."""
    try:
        data = signing.loads(token, salt=_SALT)
        recording_id, key, expires = int(data["r"]), str(data["k"]), int(data["e"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise DownloadLinkInvalid("This download link is not valid.") from None
    if time.time() > expires:
        raise DownloadLinkInvalid("This download link has expired; open the recording again.")
    recording = Recording.objects.select_related("room", "lecture").filter(pk=recording_id, storage_key=key).first()
    if recording is None or recording.status != Recording.Status.READY:
        raise DownloadLinkInvalid("This recording is no longer available.")
    return recording
