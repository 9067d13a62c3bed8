"""The room works in Chromium with the Content-Security-Policy enforced, and violates none of it."""

import json

import pytest
from django.test import Client
from playwright.sync_api import expect

from accounts.models import User
from tests.e2e.conftest import PASSWORD, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


def test_the_host_room_connects_under_the_csp_without_a_violation(new_context) -> None:
    user = User.objects.create_user("prof@uni.example", PASSWORD, first_name="Ada", last_name="Lovelace")
    api = Client()
    api.force_login(user)
    code = api.post("/api/v1/rooms", json.dumps({"title": "CSP"}), content_type="application/json").json()["code"]

    context = new_context(enforce_csp=True)
    context.add_init_script(COLLECT_VIOLATIONS)
    page = context.new_page()
    log_in(page, user)
    response = page.goto(f"/rooms/{code}/")
    assert response is not None and "script-src 'self' 'nonce-" in response.headers["content-security-policy"]
    expect(page.locator("body")).to_have_attribute("data-room-state", "connected", timeout=30_000)
    assert page.evaluate("window.__cspViolations") == []
