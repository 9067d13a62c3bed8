"""Reading what was shared in a lecture."""

from dataclasses import dataclass
from datetime import datetime

from chat.models import SharedFile
from rooms.models import Lecture


@dataclass(frozen=True)
class FileRow:
    pk: int
    name: str
    size: int
    content_type: str
    uploader: str
    created_at: datetime


def shared_files(*, lecture: Lecture) -> list[FileRow]:
    files = SharedFile.objects.filter(lecture=lecture, uploaded=True).order_by("created_at", "pk")
    return [
        FileRow(
            pk=f.pk,
            name=f.name,
            size=f.size,
            content_type=f.content_type,
            uploader=f.uploader_name,
            created_at=f.created_at,
        )
        for f in files
    ]
