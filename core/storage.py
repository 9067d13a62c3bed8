"""The storage boundary for shared files: the only module that knows where the bytes live.

Two backends behind Django's STORAGES["default"]:
- the local filesystem (the default): uploads go to a signed, expiring, single-file URL of our own
  (`/lectures/uploads/<token>/`), downloads are streamed by Django;
- S3 / MinIO (django-storages + boto3): the browser PUTs straight to a presigned URL that lives at
  most five minutes and is bound to the object key, its size and its content type; downloads are a
  one-minute presigned GET that makes S3 answer with our Content-Disposition.

The server never fetches a URL a user gave and never converts a document: it only moves bytes.
"""

import logging
import posixpath
import re
import tempfile
import time
import unicodedata
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.core import signing
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.http import content_disposition_header

logger = logging.getLogger(__name__)

_UPLOAD_SALT = "lectern.lectures.upload"
_MAX_NAME_LENGTH = 150
_UNSAFE_NAME_CHARS = re.compile(r"[^\w.\- ()+,]")


class UploadLinkInvalid(Exception):
    """A local upload link that was tampered with, expired, or used for other bytes than signed."""


@dataclass(frozen=True)
class UploadTicket:
    """Where and how the browser sends the bytes of one file."""

    url: str
    method: str
    headers: dict[str, str] = field(default_factory=dict)
    expires_in: int = 0


@dataclass(frozen=True)
class SignedUpload:
    """What a local upload link was signed for."""

    file_id: int
    key: str
    size: int
    content_type: str


def sanitize_filename(name: str) -> str:
    """A file name safe to show, store and offer for download: no path, no control or odd characters."""
    name = unicodedata.normalize("NFKC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _UNSAFE_NAME_CHARS.sub("_", name)
    name = re.sub(r"_+", "_", re.sub(r"\s+", " ", name)).strip(" ._")
    if len(name) > _MAX_NAME_LENGTH:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: _MAX_NAME_LENGTH - len(ext) - 1].rstrip(" ._") + "." + ext
        else:
            name = name[:_MAX_NAME_LENGTH].rstrip(" ._")
    return name or "file"


def new_key(*, lecture_id: int) -> str:
    """A fresh, unguessable storage key; the user's file name never becomes part of a path."""
    return f"lectures/{lecture_id}/files/{uuid.uuid4().hex}"


def _storage() -> Storage:
    return storages["default"]


def _s3_storage() -> Any | None:
    """The S3Storage in use, or None for any other backend (boto3 is imported only when S3 is)."""
    storage = _storage()
    if not type(storage).__module__.startswith("storages.backends.s3"):
        return None
    from storages.backends.s3 import S3Storage

    return storage if isinstance(storage, S3Storage) else None


def _object_key(s3: Any, key: str) -> str:
    location = (s3.location or "").strip("/")
    return posixpath.join(location, key) if location else key


def issue_upload(*, request_base: str, file_id: int, key: str, size: int, content_type: str) -> UploadTicket:
    """A short-lived link bound to this key, size and content type (presigned PUT on S3, ours locally)."""
    ttl = min(settings.UPLOAD_URL_TTL, 300)
    s3 = _s3_storage()
    if s3 is not None:
        client = s3.connection.meta.client
        url = client.generate_presigned_url(
            "put_object",
            Params={
                "Bucket": s3.bucket_name,
                "Key": _object_key(s3, key),
                "ContentType": content_type,
                "ContentLength": size,
            },
            ExpiresIn=ttl,
            HttpMethod="PUT",
        )
        return UploadTicket(url=url, method="PUT", headers={"Content-Type": content_type}, expires_in=ttl)
    token = signing.dumps(
        {"f": file_id, "k": key, "s": size, "t": content_type, "e": int(time.time()) + ttl},
        salt=_UPLOAD_SALT,
    )
    url = request_base.rstrip("/") + reverse("lectures:upload", kwargs={"token": token})
    return UploadTicket(url=url, method="PUT", headers={"Content-Type": content_type}, expires_in=ttl)


def read_upload_link(token: str) -> SignedUpload:
    """What a local upload link allows, or UploadLinkInvalid when it was altered or has expired."""
    try:
        data = signing.loads(token, salt=_UPLOAD_SALT)
        signed = SignedUpload(file_id=int(data["f"]), key=str(data["k"]), size=int(data["s"]), content_type=data["t"])
        expires = int(data["e"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise UploadLinkInvalid("This upload link is not valid.") from None
    if time.time() > expires:
        raise UploadLinkInvalid("This upload link has expired; start the upload again.")
    return signed


def _chunks(stream: IO[bytes], limit: int) -> Iterator[bytes]:
    remaining = limit + 1  # one byte more than allowed is enough to know it is too much
    while remaining > 0:
        chunk = stream.read(min(64 * 1024, remaining))
        if not chunk:
            return
        remaining -= len(chunk)
        yield chunk


def save_upload(*, signed: SignedUpload, stream: IO[bytes]) -> None:
    """Store exactly the signed number of bytes under the signed key (local backend)."""
    with tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024) as buffer:
        received = 0
        for chunk in _chunks(stream, signed.size):
            received += len(chunk)
            if received > signed.size:
                raise UploadLinkInvalid(f"This upload link is for exactly {signed.size} bytes; more arrived.")
            buffer.write(chunk)
        if received != signed.size:
            raise UploadLinkInvalid(f"This upload link is for exactly {signed.size} bytes; {received} arrived.")
        buffer.seek(0)
        storage = _storage()
        if storage.exists(signed.key):
            raise UploadLinkInvalid("This file has already been uploaded.")
        storage.save(signed.key, File(buffer, name=posixpath.basename(signed.key)))


def stored_size(*, key: str) -> int | None:
    """The size of the object under `key`, or None when nothing is stored there (yet)."""
    storage = _storage()
    try:
        if not storage.exists(key):
            return None
        return int(storage.size(key))
    except OSError:
        return None


def read_bytes(*, key: str) -> bytes | None:
    """The whole object under `key` (small files only, e.g. an export), or None when there is none."""
    storage = _storage()
    if not storage.exists(key):
        return None
    with storage.open(key, "rb") as handle:
        return bytes(handle.read())


def save_bytes(*, key: str, content: bytes) -> None:
    """Store `content` under exactly `key` (kept if something is already there: keys name their content)."""
    storage = _storage()
    if not storage.exists(key):
        storage.save(key, ContentFile(content, name=posixpath.basename(key)))


def delete(*, key: str) -> None:
    storage = _storage()
    if storage.exists(key):
        storage.delete(key)


def delete_on_commit(*, key: str) -> None:
    """Delete the bytes once the row that named them is gone for good (a rollback keeps both). A failure
    (an S3 hiccup) is logged and leaves the other deletions of the transaction to run."""

    def run() -> None:
        try:
            delete(key=key)
        except Exception:
            logger.exception("could not delete the stored file %s", key)

    transaction.on_commit(run)


def download_response(*, key: str, filename: str, content_type: str) -> HttpResponseBase:
    """The file as an attachment under a safe name: streamed locally, a presigned GET on S3."""
    disposition = content_disposition_header(as_attachment=True, filename=filename) or "attachment"
    s3 = _s3_storage()
    if s3 is not None:
        url = s3.url(
            key,
            parameters={"ResponseContentDisposition": disposition, "ResponseContentType": content_type},
            expire=settings.DOWNLOAD_URL_TTL,
        )
        response: HttpResponse = HttpResponseRedirect(url)
        response["Cache-Control"] = "private, no-store"
        return response
    file_response = FileResponse(
        _storage().open(key, "rb"), as_attachment=True, filename=filename, content_type=content_type
    )
    file_response["Cache-Control"] = "private, no-store"
    return file_response


def open_stream(*, key: str) -> IO[bytes]:
    """The object under `key`, opened for reading in parts (e.g. HTTP Range requests of a video)."""
    return _storage().open(key, "rb")  # type: ignore[no-any-return]
