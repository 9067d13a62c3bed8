"""Shared files: upload → list → download on local storage and on a real S3 server (versitygw).

Links are bound to one file, its size and its content type, and expire: tampered, expired or
misused links are refused. Limits from settings give clear 4xx answers before any link exists.
"""

import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client

from chat.models import SharedFile
from rooms.models import Lecture, Room

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n" + b"lecture slides " * 100


def start_upload(
    client: Client,
    room: Room,
    *,
    name: str = "Week 1 slides.pdf",
    size: int = len(PDF),
    content_type: str = "application/pdf",
) -> Any:
    return client.post(
        f"/api/v1/rooms/{room.code}/files",
        {"name": name, "size": size, "content_type": content_type},
        content_type="application/json",
    )


def local_put(client: Client, url: str, body: bytes, content_type: str = "application/pdf") -> Any:
    return client.put(urlsplit(url).path, data=body, content_type=content_type)


def listed(client: Client, room: Room) -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/rooms/{room.code}/files")
    assert response.status_code == 200, response.content
    return list(response.json())


# --- local storage (the default) ---


def test_host_uploads_lists_and_downloads_a_file_on_local_storage(
    host_client: Client, admitted_client: Client, room: Room, live_lecture: Lecture, media_root: Any
) -> None:
    response = start_upload(host_client, room)
    assert response.status_code == 201
    ticket = response.json()
    assert set(ticket) == {"id", "upload_url", "method", "headers"}
    assert ticket["method"] == "PUT" and ticket["headers"] == {"Content-Type": "application/pdf"}
    assert ticket["upload_url"].startswith("http://testserver/lectures/uploads/")
    assert listed(host_client, room) == []  # nothing until the bytes arrive

    uploaded = local_put(host_client, ticket["upload_url"], PDF)
    assert uploaded.status_code == 200, uploaded.content
    files = listed(admitted_client, room)  # another participant sees it
    assert [(f["id"], f["name"], f["size"], f["uploader_name"]) for f in files] == [
        (ticket["id"], "Week 1 slides.pdf", len(PDF), "Ada Prof")
    ]
    download = admitted_client.get(files[0]["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]
    assert download["Content-Disposition"] == 'attachment; filename="Week 1 slides.pdf"'
    assert download["Content-Type"] == "application/pdf"


def test_a_tampered_local_upload_link_is_refused(
    host_client: Client, room: Room, live_lecture: Lecture, media_root: Any
) -> None:
    url = start_upload(host_client, room).json()["upload_url"]
    path = urlsplit(url).path
    tampered = path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]
    response = host_client.put(tampered, data=PDF, content_type="application/pdf")
    assert response.status_code == 403
    assert response.json() == {"detail": "This upload link is not valid."}
    assert listed(host_client, room) == []


def test_an_expired_local_upload_link_is_refused(
    host_client: Client, room: Room, live_lecture: Lecture, media_root: Any, settings: Any
) -> None:
    settings.UPLOAD_URL_TTL = 1
    url = start_upload(host_client, room).json()["upload_url"]
    time.sleep(2.1)
    response = local_put(host_client, url, PDF)
    assert response.status_code == 403
    assert "expired" in response.json()["detail"]


def test_a_local_upload_link_is_bound_to_size_and_type_and_used_once(
    host_client: Client, room: Room, live_lecture: Lecture, media_root: Any
) -> None:
    url = start_upload(host_client, room).json()["upload_url"]
    bigger = local_put(host_client, url, PDF + b"more")
    assert bigger.status_code == 403 and "exactly" in bigger.json()["detail"]
    other_type = local_put(host_client, url, PDF, content_type="text/html")
    assert other_type.status_code == 403 and "application/pdf" in other_type.json()["detail"]
    assert local_put(host_client, url, PDF).status_code == 200
    again = local_put(host_client, url, PDF)
    assert again.status_code == 409


def test_upload_link_needs_put(host_client: Client, room: Room, live_lecture: Lecture, media_root: Any) -> None:
    url = start_upload(host_client, room).json()["upload_url"]
    assert host_client.post(urlsplit(url).path, data=PDF, content_type="application/pdf").status_code == 405


@pytest.mark.parametrize(
    ("payload", "status", "detail"),
    [
        ({"size": 10 * 1024 * 1024 + 1}, 413, "The file is larger than the 10 MB limit."),
        ({"content_type": "text/html"}, 415, "Files of type text/html cannot be shared here"),
        ({"content_type": "image/svg+xml"}, 415, "Files of type image/svg+xml cannot be shared here"),
        ({"size": 0}, 400, "The file is empty."),
        ({"size": -1}, 400, "size"),
        ({"name": ""}, 400, "name"),
    ],
)
def test_files_outside_the_limits_get_a_clear_4xx(
    host_client: Client,
    room: Room,
    live_lecture: Lecture,
    settings: Any,
    payload: dict[str, Any],
    status: int,
    detail: str,
) -> None:
    settings.UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    body = {"name": "notes.pdf", "size": 100, "content_type": "application/pdf", **payload}
    response = host_client.post(f"/api/v1/rooms/{room.code}/files", body, content_type="application/json")
    assert response.status_code == status
    assert response.json()["detail"].startswith(detail)
    assert not SharedFile.objects.exists()


def test_file_names_are_sanitised_for_listing_and_download(
    host_client: Client, room: Room, live_lecture: Lecture, media_root: Any
) -> None:
    ticket = start_upload(host_client, room, name='../../etc/"pass<wd>\x07\u202e.pdf').json()
    assert local_put(host_client, ticket["upload_url"], PDF).status_code == 200
    (item,) = listed(host_client, room)
    assert item["name"] == "pass_wd_.pdf"
    disposition = host_client.get(item["download_url"])["Content-Disposition"]
    assert disposition == 'attachment; filename="pass_wd_.pdf"'
    stored = SharedFile.objects.get()
    assert stored.storage_key.startswith(f"lectures/{live_lecture.pk}/files/") and ".." not in stored.storage_key


def test_non_ascii_file_names_download_with_an_rfc_5987_filename(
    host_client: Client, room: Room, live_lecture: Lecture, media_root: Any
) -> None:
    ticket = start_upload(host_client, room, name="Übung 1 – Gräphen.pdf").json()
    local_put(host_client, ticket["upload_url"], PDF)
    (item,) = listed(host_client, room)
    assert item["name"] == "Übung 1 _ Gräphen.pdf"
    disposition = host_client.get(item["download_url"])["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=utf-8''")


def test_starting_an_upload_needs_the_csrf_token(room: Room, live_lecture: Lecture, host: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(host)
    response = start_upload(client, room)
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


# --- who may share and see files in the live room ---

FILES_TABLE = {
    # role: (client fixture, list status, upload status without / with student uploads)
    "host": ("host_client", 200, 201, 201),
    "co-host": ("cohost_client", 200, 201, 201),
    "admin (looks, does not share)": ("admin_client", 200, 403, 403),
    "admitted guest": ("admitted_client", 200, 403, 201),
    "waiting guest": ("waiting_client", 403, 403, 403),
    "banned guest": ("banned_client", 403, 403, 403),
    "another host": ("outsider_client", 403, 403, 403),
    "anonymous": ("client", 401, 401, 401),
}


@pytest.mark.parametrize("role", FILES_TABLE)
@pytest.mark.parametrize("student_uploads", [False, True])
def test_live_room_files_answer_each_role(
    request: pytest.FixtureRequest,
    role: str,
    student_uploads: bool,
    room: Room,
    live_lecture: Lecture,
    media_root: Any,
) -> None:
    fixture, list_status, upload_off, upload_on = FILES_TABLE[role]
    room.student_uploads = student_uploads
    room.save(update_fields=["student_uploads"])
    client: Client = request.getfixturevalue(fixture)
    assert client.get(f"/api/v1/rooms/{room.code}/files").status_code == list_status
    response = start_upload(client, room)
    assert response.status_code == (upload_on if student_uploads else upload_off), response.content
    if response.status_code >= 400:
        assert response.json()["detail"]


def test_files_of_an_unknown_room_are_404_and_of_a_room_not_live_409(host_client: Client, room: Room) -> None:
    assert host_client.get("/api/v1/rooms/zzz-zzzz-zzz/files").status_code == 404
    response = host_client.get(f"/api/v1/rooms/{room.code}/files")
    assert response.status_code == 409
    assert start_upload(host_client, room).status_code == 409


def test_a_student_upload_appears_for_the_host_with_the_students_name(
    host_client: Client, admitted_client: Client, room: Room, live_lecture: Lecture, media_root: Any
) -> None:
    room.student_uploads = True
    room.save(update_fields=["student_uploads"])
    ticket = start_upload(admitted_client, room, name="my notes.txt", size=5, content_type="text/plain").json()
    assert local_put(admitted_client, ticket["upload_url"], b"notes", content_type="text/plain").status_code == 200
    (item,) = listed(host_client, room)
    assert item["uploader_name"] == "Student <b>Sam</b>"  # JSON carries it raw; the page escapes it


def test_outsiders_cannot_download_a_live_rooms_file(
    host_client: Client,
    outsider_client: Client,
    waiting_client: Client,
    room: Room,
    live_lecture: Lecture,
    media_root: Any,
) -> None:
    ticket = start_upload(host_client, room).json()
    local_put(host_client, ticket["upload_url"], PDF)
    url = listed(host_client, room)[0]["download_url"]
    assert outsider_client.get(url).status_code == 404
    assert waiting_client.get(url).status_code == 404
    assert Client().get(url).status_code == 404


# --- S3 (versitygw) ---


def test_upload_list_and_download_through_s3_presigned_urls(
    s3_storage: Any, host_client: Client, admitted_client: Client, room: Room, live_lecture: Lecture
) -> None:
    ticket = start_upload(host_client, room).json()
    url = urlsplit(ticket["upload_url"])
    query = parse_qs(url.query)
    assert url.netloc == urlsplit(s3_storage().endpoint_url).netloc
    assert int(query["X-Amz-Expires"][0]) <= 300
    assert query["X-Amz-SignedHeaders"] == ["content-length;content-type;host"]
    assert listed(host_client, room) == []

    put = requests.put(ticket["upload_url"], data=PDF, headers=ticket["headers"], timeout=10)
    assert put.status_code == 200, put.text
    (item,) = listed(admitted_client, room)
    assert item["name"] == "Week 1 slides.pdf" and item["size"] == len(PDF)

    download = admitted_client.get(item["download_url"])
    assert download.status_code == 302
    fetched = requests.get(download["Location"], timeout=10)
    assert fetched.status_code == 200
    assert fetched.content == PDF
    assert fetched.headers["Content-Disposition"] == 'attachment; filename="Week 1 slides.pdf"'
    assert fetched.headers["Content-Type"] == "application/pdf"


def test_a_tampered_s3_presigned_url_is_refused(
    s3_storage: Any, host_client: Client, room: Room, live_lecture: Lecture
) -> None:
    ticket = start_upload(host_client, room).json()
    other_key = ticket["upload_url"].replace("/files/", "/files/x", 1)
    assert requests.put(other_key, data=PDF, headers=ticket["headers"], timeout=10).status_code == 403
    longer = ticket["upload_url"].replace("X-Amz-Expires=300", "X-Amz-Expires=600")
    assert requests.put(longer, data=PDF, headers=ticket["headers"], timeout=10).status_code == 403
    assert listed(host_client, room) == []


def test_an_s3_presigned_url_is_bound_to_size_and_content_type(
    s3_storage: Any, host_client: Client, room: Room, live_lecture: Lecture
) -> None:
    ticket = start_upload(host_client, room).json()
    assert requests.put(ticket["upload_url"], data=PDF + b"!", headers=ticket["headers"], timeout=10).status_code == 403
    html = {"Content-Type": "text/html"}
    assert requests.put(ticket["upload_url"], data=PDF, headers=html, timeout=10).status_code == 403
    assert listed(host_client, room) == []


def test_an_expired_s3_presigned_url_is_refused(
    s3_storage: Any, host_client: Client, room: Room, live_lecture: Lecture, settings: Any
) -> None:
    settings.UPLOAD_URL_TTL = 1
    ticket = start_upload(host_client, room).json()
    time.sleep(2.1)
    response = requests.put(ticket["upload_url"], data=PDF, headers=ticket["headers"], timeout=10)
    assert response.status_code == 403
    assert "expired" in response.text.lower()
    assert listed(host_client, room) == []


def test_s3_limits_are_checked_before_any_url_is_signed(
    s3_storage: Any, host_client: Client, room: Room, live_lecture: Lecture, settings: Any
) -> None:
    settings.UPLOAD_MAX_BYTES = 1000
    assert start_upload(host_client, room, size=1001).status_code == 413
    assert start_upload(host_client, room, size=100, content_type="application/x-msdownload").status_code == 415
