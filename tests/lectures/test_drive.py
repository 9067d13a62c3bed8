"""Google Drive: the OAuth redirect and callback (state and PKCE checked) against a local token endpoint,
and the requests the Google client library builds for the upload, captured by its own HttpMockSequence."""

import base64
import hashlib
import json
import threading
from collections.abc import Iterator
from email import policy
from email.message import Message
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.test import Client
from googleapiclient.http import HttpMockSequence

from accounts.models import User
from lectures import drive, services
from lectures.access import LectureViewer
from lectures.models import DriveCredential
from rooms.models import Lecture

pytestmark = pytest.mark.django_db

CLIENT_ID = "lectern-test.apps.googleusercontent.com"
CLIENT_SECRET = "test-client-secret"
REFRESH_TOKEN = "1//lectern-refresh-token"
TOKEN_URI = "https://oauth2.googleapis.com/token"


@pytest.fixture
def google(settings: Any) -> Any:
    settings.GOOGLE_CLIENT_ID = CLIENT_ID
    settings.GOOGLE_CLIENT_SECRET = CLIENT_SECRET
    settings.GOOGLE_OAUTH_TOKEN_URI = TOKEN_URI
    return settings


@pytest.fixture
def no_google(settings: Any) -> Any:
    settings.GOOGLE_CLIENT_ID = ""
    settings.GOOGLE_CLIENT_SECRET = ""
    return settings


class TokenEndpoint(BaseHTTPRequestHandler):
    """Google's OAuth token endpoint, as far as the authorization-code grant goes."""

    received: list[dict[str, list[str]]] = []

    def do_POST(self) -> None:
        form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        form["authorization"] = [self.headers.get("Authorization", "")]
        TokenEndpoint.received.append(form)
        if form.get("code") == ["good-code"]:
            body = {
                "access_token": "ya29.access",
                "refresh_token": REFRESH_TOKEN,
                "expires_in": 3599,
                "token_type": "Bearer",
                "scope": drive.DRIVE_SCOPE,
            }
            status = 200
        else:
            body, status = {"error": "invalid_grant", "error_description": "Bad Request"}, 400
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def token_endpoint(google: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), TokenEndpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    TokenEndpoint.received = []
    url = f"http://127.0.0.1:{server.server_address[1]}/token"
    google.GOOGLE_OAUTH_TOKEN_URI = url
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # oauthlib's own switch for a plain-HTTP local endpoint
    yield url
    server.shutdown()
    server.server_close()


def connect(client: Client, lecture: Lecture) -> dict[str, list[str]]:
    response = client.get("/lectures/drive/connect/", {"next": f"/lectures/{lecture.pk}/"})
    assert response.status_code == 302
    return parse_qs(urlsplit(response["Location"]).query)


# --- OAuth ---


def test_connect_redirects_to_google_with_offline_access_pkce_and_a_state(
    google: Any, host_client: Client, lecture: Lecture
) -> None:
    response = host_client.get("/lectures/drive/connect/", {"next": f"/lectures/{lecture.pk}/"})
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == "https://accounts.google.com/o/oauth2/auth"
    params = parse_qs(location.query)
    assert params["client_id"] == [CLIENT_ID]
    assert params["redirect_uri"] == [f"{google.SITE_URL}/lectures/drive/callback/"]
    assert params["scope"] == [drive.DRIVE_SCOPE]
    assert params["response_type"] == ["code"]
    assert params["access_type"] == ["offline"]
    assert params["code_challenge_method"] == ["S256"]
    assert len(params["state"][0]) >= 20


def test_callback_with_another_state_is_refused_and_saves_nothing(
    token_endpoint: str, host_client: Client, lecture: Lecture
) -> None:
    connect(host_client, lecture)
    response = host_client.get("/lectures/drive/callback/", {"state": "forged-state", "code": "good-code"})
    assert response.status_code == 400
    assert "state does not match" in response.content.decode()
    assert not DriveCredential.objects.exists()
    assert TokenEndpoint.received == []  # the code was never even exchanged


def test_callback_without_a_started_flow_is_refused(google: Any, host_client: Client) -> None:
    response = host_client.get("/lectures/drive/callback/", {"state": "anything", "code": "good-code"})
    assert response.status_code == 400
    assert not DriveCredential.objects.exists()


def test_callback_exchanges_the_code_with_pkce_and_stores_the_refresh_token_encrypted(
    token_endpoint: str, host: User, host_client: Client, lecture: Lecture
) -> None:
    params = connect(host_client, lecture)
    response = host_client.get("/lectures/drive/callback/", {"state": params["state"][0], "code": "good-code"})
    assert response.status_code == 302
    assert response["Location"] == f"/lectures/{lecture.pk}/"

    (exchange,) = TokenEndpoint.received
    assert exchange["grant_type"] == ["authorization_code"]
    assert exchange["code"] == ["good-code"]
    assert exchange["redirect_uri"] == params["redirect_uri"]
    verifier = exchange["code_verifier"][0]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    assert params["code_challenge"] == [challenge]
    basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    assert exchange["authorization"] == [f"Basic {basic}"]  # the client authenticates itself

    credential = DriveCredential.objects.get(user=host)
    assert REFRESH_TOKEN not in credential.encrypted_refresh_token
    assert drive.open_refresh_token(credential.encrypted_refresh_token) == REFRESH_TOKEN
    page = host_client.get(response["Location"]).content.decode()
    assert "Google Drive is connected" in page


def test_callback_reports_a_code_google_refuses(token_endpoint: str, host_client: Client, lecture: Lecture) -> None:
    params = connect(host_client, lecture)
    response = host_client.get(
        "/lectures/drive/callback/", {"state": params["state"][0], "code": "stale-code"}, follow=True
    )
    assert "Google did not accept the authorization" in response.content.decode()
    assert not DriveCredential.objects.exists()


def test_callback_when_the_user_declines(token_endpoint: str, host_client: Client, lecture: Lecture) -> None:
    params = connect(host_client, lecture)
    response = host_client.get(
        "/lectures/drive/callback/", {"state": params["state"][0], "error": "access_denied"}, follow=True
    )
    assert "Google Drive was not connected" in unquote(response.content.decode())
    assert not DriveCredential.objects.exists()


def test_google_not_configured_gives_a_clear_message(no_google: Any, host_client: Client, lecture: Lecture) -> None:
    response = host_client.post(f"/lectures/{lecture.pk}/drive", follow=True)
    assert response.status_code == 200
    assert "Google Drive export is not configured on this server" in response.content.decode()
    response = host_client.get("/lectures/drive/connect/", {"next": f"/lectures/{lecture.pk}/"}, follow=True)
    assert "GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET" in response.content.decode()


def test_saving_before_connecting_sends_the_host_to_connect_first(
    google: Any, host_client: Client, lecture: Lecture
) -> None:
    response = host_client.post(f"/lectures/{lecture.pk}/drive")
    assert response.status_code == 302
    assert response["Location"] == f"/lectures/drive/connect/?next=/lectures/{lecture.pk}/"


def test_connecting_drive_needs_an_account(google: Any, client: Client) -> None:
    response = client.get("/lectures/drive/connect/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- the refresh token at rest ---


def test_a_refresh_token_sealed_under_another_key_cannot_be_opened(settings: Any) -> None:
    settings.DRIVE_TOKEN_KEY = "first key material"
    sealed = drive.seal_refresh_token(REFRESH_TOKEN)
    assert drive.open_refresh_token(sealed) == REFRESH_TOKEN
    settings.DRIVE_TOKEN_KEY = "rotated key material"
    with pytest.raises(drive.DriveAuthorizationLost):
        drive.open_refresh_token(sealed)


# --- the upload, as the Google client library builds it ---


def multipart_parts(content_type: str, body: str | bytes) -> list[Message]:
    """The parts of a multipart/related request body, read with the standard library's MIME parser."""
    raw = body if isinstance(body, bytes) else body.encode("latin-1")
    message = BytesParser(policy=policy.compat32).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + raw)
    assert message.is_multipart()
    return list(message.get_payload())  # type: ignore[arg-type]


def token_response() -> tuple[dict[str, str], str]:
    return {"status": "200"}, json.dumps({"access_token": "ya29.fresh", "expires_in": 3600, "token_type": "Bearer"})


def created(file_id: str, name: str) -> tuple[dict[str, str], str]:
    return {"status": "200"}, json.dumps(
        {"id": file_id, "name": name, "webViewLink": f"https://drive.google.com/file/d/{file_id}/view"}
    )


@pytest.fixture
def connected_host(google: Any, host: User) -> User:
    DriveCredential.objects.create(user=host, encrypted_refresh_token=drive.seal_refresh_token(REFRESH_TOKEN))
    return host


def test_saving_a_lecture_uploads_its_pdf_and_transcript_into_a_new_lectern_folder(
    connected_host: User, lecture: Lecture
) -> None:
    http = HttpMockSequence(
        [
            token_response(),
            ({"status": "200"}, json.dumps({"files": []})),
            ({"status": "200"}, json.dumps({"id": "folder-1"})),
            created("file-pdf", "Graphs.pdf"),
            created("file-txt", "Graphs.txt"),
        ]
    )
    uploaded = services.save_lecture_to_drive(
        lecture=lecture, viewer=LectureViewer(role="host", user=connected_host), user=connected_host, http=http
    )
    assert [item.id for item in uploaded] == ["file-pdf", "file-txt"]

    refresh, search, folder, pdf, txt = http.request_sequence
    assert refresh[0] == TOKEN_URI and refresh[1] == "POST"
    refresh_form = parse_qs(refresh[2] if isinstance(refresh[2], str) else refresh[2].decode())
    assert refresh_form["grant_type"] == ["refresh_token"] and refresh_form["refresh_token"] == [REFRESH_TOKEN]

    search_url = urlsplit(search[0])
    assert (search_url.netloc, search_url.path, search[1]) == ("www.googleapis.com", "/drive/v3/files", "GET")
    query = parse_qs(search_url.query)["q"][0]
    assert "name = 'Lectern'" in query and "mimeType = 'application/vnd.google-apps.folder'" in query
    assert search[3]["authorization"] == "Bearer ya29.fresh"

    assert folder[1] == "POST" and urlsplit(folder[0]).path == "/drive/v3/files"
    assert json.loads(folder[2]) == {"name": "Lectern", "mimeType": "application/vnd.google-apps.folder"}

    for request, mime, needle in ((pdf, "application/pdf", b"%PDF-"), (txt, "text/plain", b"[0:00] Ada Prof: Today")):
        url = urlsplit(request[0])
        assert (url.path, request[1]) == ("/upload/drive/v3/files", "POST")
        assert parse_qs(url.query)["uploadType"] == ["multipart"]
        assert request[3]["content-type"].startswith("multipart/related; boundary=")
        metadata, media = multipart_parts(request[3]["content-type"], request[2])
        assert metadata.get_content_type() == "application/json"
        fields = json.loads(bytes(metadata.get_payload(decode=True)))
        assert fields["parents"] == ["folder-1"]
        assert fields["name"].endswith("2026-11-02." + ("pdf" if mime == "application/pdf" else "txt"))
        assert media.get_content_type() == mime
        assert needle in media.get_payload(decode=True)


def test_saving_again_reuses_the_existing_lectern_folder(connected_host: User, lecture: Lecture) -> None:
    http = HttpMockSequence(
        [
            token_response(),
            ({"status": "200"}, json.dumps({"files": [{"id": "folder-9", "name": "Lectern"}]})),
            created("file-pdf", "Graphs.pdf"),
            created("file-txt", "Graphs.txt"),
        ]
    )
    services.save_lecture_to_drive(
        lecture=lecture, viewer=LectureViewer(role="host", user=connected_host), user=connected_host, http=http
    )
    uploads = [request for request in http.request_sequence if "/upload/" in request[0]]
    assert len(http.request_sequence) == 4 and len(uploads) == 2
    for request in uploads:
        metadata, _ = multipart_parts(request[3]["content-type"], request[2])
        assert json.loads(bytes(metadata.get_payload(decode=True)))["parents"] == ["folder-9"]


def test_a_revoked_grant_forgets_the_connection_and_asks_to_reconnect(connected_host: User, lecture: Lecture) -> None:
    http = HttpMockSequence([({"status": "400"}, json.dumps({"error": "invalid_grant"}))])
    with pytest.raises(drive.DriveAuthorizationLost):
        services.save_lecture_to_drive(
            lecture=lecture, viewer=LectureViewer(role="host", user=connected_host), user=connected_host, http=http
        )
    assert not DriveCredential.objects.exists()


def test_a_refused_upload_is_reported_and_keeps_the_connection(connected_host: User, lecture: Lecture) -> None:
    http = HttpMockSequence(
        [
            token_response(),
            ({"status": "200"}, json.dumps({"files": [{"id": "folder-9"}]})),
            (
                {"status": "403"},
                json.dumps({"error": {"code": 403, "message": "The user's Drive storage quota has been exceeded."}}),
            ),
        ]
    )
    with pytest.raises(drive.DriveError, match=r"refused the upload \(403\)"):
        services.save_lecture_to_drive(
            lecture=lecture, viewer=LectureViewer(role="host", user=connected_host), user=connected_host, http=http
        )
    assert DriveCredential.objects.filter(user=connected_host).exists()
