"""The lecture page's extension point: apps above lectures add sections to the page and its exports.

Lectures never imports them (the layers forbid it); an app registers a builder when it is ready
(courses adds polls, the reaction timeline and engagement). A builder gets the viewer's document
and returns the sections that viewer may see, their HTML already rendered (and escaped) by the
app's own templates, and optionally a table for the CSV export.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.safestring import SafeString

if TYPE_CHECKING:
    from lectures.selectors import LectureDocument


@dataclass(frozen=True)
class LectureSection:
    key: str  # the section's id on the page, e.g. "polls"
    title: str
    html: SafeString
    pdf_html: SafeString | None = None  # when the PDF needs a plainer rendering than the page
    table: list[list[object]] = field(default_factory=list)  # header row first; empty: not in the CSV


SectionBuilder = Callable[["LectureDocument"], list[LectureSection]]
_builders: list[SectionBuilder] = []


def register_sections(builder: SectionBuilder) -> SectionBuilder:
    """Add a builder (once: registering the same one again changes nothing)."""
    if builder not in _builders:
        _builders.append(builder)
    return builder


def build_sections(*, document: "LectureDocument") -> list[LectureSection]:
    return [section for builder in _builders for section in builder(document)]
