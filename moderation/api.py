"""Moderation JSON API."""

from ninja import Router

router = Router(tags=["moderation"])
