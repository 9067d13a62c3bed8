"""The lectures and files API answers malformed requests with a clear 4xx, never a 500."""

import pytest
from django.test import Client

from rooms.models import Lecture, Room

pytestmark = pytest.mark.django_db


def test_a_search_longer_than_200_characters_is_a_400(host_client: Client, lecture: Lecture) -> None:
    response = host_client.get(f"/api/v1/lectures/{lecture.pk}/transcript", {"q": "x" * 201})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("q:")


@pytest.mark.parametrize("query", ["&", "!!!", "the", '"unclosed', "-", "a | b", "'; drop table"])
def test_odd_search_queries_match_nothing_without_error(host_client: Client, lecture: Lecture, query: str) -> None:
    response = host_client.get(f"/api/v1/lectures/{lecture.pk}/transcript", {"q": query})
    assert response.status_code == 200
    assert isinstance(response.json(), list)
    assert host_client.get(f"/lectures/{lecture.pk}/", {"q": query}).status_code == 200


def test_a_non_numeric_lecture_id_is_a_404(host_client: Client) -> None:
    assert host_client.get("/api/v1/lectures/abc").status_code == 404
    assert host_client.get("/lectures/abc/").status_code == 404


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", b'{"name": "a.pdf"}', b'{"name": "a.pdf", "size": "big", "content_type": "application/pdf"}'],
)
def test_malformed_file_announcements_are_400(
    host_client: Client, room: Room, live_lecture: Lecture, body: bytes
) -> None:
    response = host_client.post(f"/api/v1/rooms/{room.code}/files", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"]


def test_a_content_type_with_parameters_is_judged_by_its_type(
    host_client: Client, room: Room, live_lecture: Lecture
) -> None:
    body = {"name": "notes.txt", "size": 3, "content_type": "Text/Plain; charset=UTF-8"}
    response = host_client.post(f"/api/v1/rooms/{room.code}/files", body, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["headers"] == {"Content-Type": "text/plain"}
