"""The egress service's own health endpoint (health_port): whether it runs, and which egress jobs its
handlers are running right now. LiveKit keeps reporting an egress as active after the egress process
that ran it died, so this is how a lost recording is noticed.

EGRESS_HEALTH_URL lists the egress instances (comma-separated); empty = not checked.
"""

import json
import urllib.error
import urllib.request

from django.conf import settings

TIMEOUT_SECONDS = 2


class EgressUnreachable(Exception):
    """An egress health endpoint did not answer."""


def health_urls() -> list[str]:
    return [url.strip() for url in settings.EGRESS_HEALTH_URL.split(",") if url.strip()]


def _status(url: str) -> dict[str, object]:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 - URL from settings
            return dict(json.loads(response.read() or b"{}"))
    except (OSError, urllib.error.URLError, ValueError) as exc:
        raise EgressUnreachable(f"{url}: {exc}") from exc


def active_egress_ids() -> set[str] | None:
    """The egress ids running on every configured instance; None when none is configured."""
    urls = health_urls()
    if not urls:
        return None
    active: set[str] = set()
    for url in urls:
        active.update(key for key in _status(url) if key.startswith("EG_"))
    return active


def ping() -> None:
    """Raise EgressUnreachable unless every configured instance answers."""
    for url in health_urls():
        _status(url)


def any_answers() -> bool | None:
    """Whether at least one configured egress instance answers (None when none is configured): with
    none running, LiveKit would take about 20 s to refuse a recording."""
    urls = health_urls()
    if not urls:
        return None
    for url in urls:
        try:
            _status(url)
        except EgressUnreachable:
            continue
        return True
    return False
