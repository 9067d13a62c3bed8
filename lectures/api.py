"""Lectures JSON API (`/api/v1/lectures…`) and the room's shared files (`/api/v1/rooms/{code}/files`)."""

from ninja import Router

router = Router(tags=["lectures"])
room_files_router = Router(tags=["files"])
