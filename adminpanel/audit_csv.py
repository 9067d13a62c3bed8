"""The audit log as CSV, safe to open in a spreadsheet: a cell that would start a formula is quoted."""

import csv
from collections.abc import Iterable, Iterator
from datetime import UTC

from adminpanel import audit_labels
from audit.models import AuditEvent

HEADER = ["when (UTC)", "actor", "what happened", "type", "target", "room", "room code", "IP"]
# Spreadsheets run a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """The value as text a spreadsheet shows, never runs."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


class _Echo:
    def write(self, value: str) -> str:
        return value


def _fields(event: AuditEvent) -> list[str]:
    line = audit_labels.line(event)
    sentence = " ".join(part for part in (line.actor, line.phrase, line.target) if part)
    return [
        event.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        line.actor,
        sentence,
        event.action,
        event.target,
        line.room,
        event.room.code if event.room else "",
        event.ip_address or "",
    ]


def csv_lines(events: Iterable[AuditEvent]) -> Iterator[str]:
    """The header and one line per event, each cell made safe."""
    writer = csv.writer(_Echo())
    yield writer.writerow(HEADER)
    for event in events:
        yield writer.writerow([safe_cell(cell) for cell in _fields(event)])
