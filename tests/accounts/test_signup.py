import pytest
from django.test import Client

from accounts.models import User

pytestmark = pytest.mark.django_db


def sign_up(
    client: Client,
    email: str,
    password: str = "a-Long-passphrase-42",
    password2: str | None = None,
    name: str = "Ada Lovelace",
):
    return client.post(
        "/accounts/signup/",
        {"name": name, "email": email, "password1": password, "password2": password2 or password},
    )


def test_first_account_becomes_admin_and_later_ones_hosts(client: Client) -> None:
    response = sign_up(client, "first@uni.example")
    assert response.status_code == 302
    client.logout()
    sign_up(Client(), "second@uni.example")
    first = User.objects.get(email="first@uni.example")
    second = User.objects.get(email="second@uni.example")
    assert first.role == User.Role.ADMIN and first.is_staff
    assert second.role == User.Role.HOST and not second.is_staff


def test_sign_up_logs_the_professor_in_and_shows_the_dashboard(client: Client) -> None:
    sign_up(client, "prof@uni.example")
    response = client.get("/")
    assert response.status_code == 200
    assert b"Your rooms" in response.content


def test_bad_email_is_a_form_error(client: Client) -> None:
    response = sign_up(client, "not-an-email")
    assert response.status_code == 200
    assert "valid email address" in response.content.decode().lower()
    assert not User.objects.exists()


def test_weak_password_is_a_form_error(client: Client) -> None:
    response = sign_up(client, "prof@uni.example", password="12345678")
    assert response.status_code == 200
    assert "too common" in response.content.decode() or "entirely numeric" in response.content.decode()
    assert not User.objects.exists()


def test_duplicate_email_is_a_form_error(client: Client) -> None:
    User.objects.create_user("prof@uni.example", "whatever-password-1")
    response = sign_up(client, "PROF@uni.example")
    assert response.status_code == 200
    assert "already registered" in response.content.decode()
    assert User.objects.count() == 1


def test_mismatched_passwords_are_a_form_error(client: Client) -> None:
    response = sign_up(client, "prof@uni.example", password2="something-else-entirely")
    assert response.status_code == 200
    assert not User.objects.exists()


def test_login_and_logout(client: Client) -> None:
    User.objects.create_user("prof@uni.example", "a-Long-passphrase-42")
    response = client.post("/accounts/login/", {"login": "prof@uni.example", "password": "a-Long-passphrase-42"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    client.post("/accounts/logout/")
    assert "Your rooms" not in client.get("/").content.decode()


def test_anonymous_visitor_sees_the_landing_page_with_a_way_to_sign_in(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert 'href="/accounts/login/"' in response.content.decode()


def test_password_reset_sends_an_email(client: Client, mailoutbox) -> None:
    User.objects.create_user("prof@uni.example", "a-Long-passphrase-42")
    response = client.post("/accounts/password/reset/", {"email": "prof@uni.example"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "prof@uni.example" in mailoutbox[0].to


def test_sign_up_asks_the_name_students_see_and_the_header_shows_it(client: Client) -> None:
    page = client.get("/accounts/signup/").content.decode()
    assert 'name="name"' in page and "Your name" in page
    response = sign_up(client, "prof@uni.example", name="  Ada\u00a0Lovelace ")
    assert response.status_code == 302
    user = User.objects.get(email="prof@uni.example")
    assert user.name == "Ada Lovelace" and user.display_name == "Ada Lovelace"
    header = client.get("/").content.decode().split("</header>")[0]
    assert "Ada Lovelace" in header and "prof@uni.example" not in header


@pytest.mark.parametrize("name", ["", "   ", "\u2800\u3164", "Ada\u202eecalovoL", "\ufeff"])
def test_sign_up_refuses_a_blank_invisible_or_bidi_name(client: Client, name: str) -> None:
    response = sign_up(client, "prof@uni.example", name=name)
    assert response.status_code == 200
    assert not User.objects.exists()


def test_profile_page_changes_the_display_name(client: Client) -> None:
    sign_up(client, "prof@uni.example")
    assert client.get("/accounts/profile/").status_code == 200
    response = client.post("/accounts/profile/", {"name": "Prof. Ada King"})
    assert response.status_code == 302
    assert User.objects.get(email="prof@uni.example").display_name == "Prof. Ada King"
    assert client.post("/accounts/profile/", {"name": "\u200b"}).status_code == 400
    assert User.objects.get(email="prof@uni.example").display_name == "Prof. Ada King"


def test_profile_page_needs_a_login(client: Client) -> None:
    response = client.get("/accounts/profile/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
