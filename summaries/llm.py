"""The LLM summarizer: the same summary shape, written by an OpenAI-compatible model.

A transcript that fits one request is summarised at once; a longer one is cut into parts that are
summarised one by one (map) and then merged into one summary (reduce). Every reply must follow a
strict JSON schema and is validated again here before it is returned; anything else raises, and
the caller falls back to the offline summarizer.
"""

import json
from datetime import UTC, datetime
from typing import Any

from summaries import openai_client as llm
from summaries.local import Utterance
from summaries.schema import Summary

CHUNK_CHARS = 12_000  # ~3,000 tokens of transcript per request

_POINT = {"text": {"type": "string"}, "start": {"type": "number"}}
_TERM = {"term": {"type": "string"}, "start": {"type": "number"}, "definition": {"type": "string"}}
_ACTION = {"text": {"type": "string"}, "deadline": {"type": "string"}, "start": {"type": "number"}}
_QUESTION = {
    "text": {"type": "string"},
    "asked_by": {"type": "string"},
    "start": {"type": "number"},
    "answered": {"type": "boolean"},
    "answer_start": {"type": ["number", "null"]},
}


def _objects(properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "array",
        "items": {
            "type": "object",
            "properties": properties,
            "required": list(properties),
            "additionalProperties": False,
        },
    }


SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "overview": {"type": "string"},
        "topics": _objects(_POINT),
        "key_terms": _objects(_TERM),
        "action_items": _objects(_ACTION),
        "questions": _objects(_QUESTION),
    },
    "required": ["overview", "topics", "key_terms", "action_items", "questions"],
    "additionalProperties": False,
}

_INSTRUCTIONS = """You summarise university lectures from their transcript. Each transcript line reads
`[seconds] Name (lecturer|student): words`. Answer in JSON with:
- overview: two or three sentences on what the lecture covered;
- topics: the main topics in the order they came up;
- key_terms: the important terms, with a one-sentence definition from the lecture when it gives one;
- action_items: work the lecturer set (reading, assignments, labs...), with the deadline as said
  (e.g. "next Monday at noon"), or "" when none was said;
- questions: every question a student asked; asked_by is that student's name as written in the
  transcript; answered is true only if the lecturer answered it; answer_start is the seconds of the
  answer, or null.
Every start is the [seconds] of the line where that point is made. Use only what the transcript says."""


def transcript_lines(utterances: list[Utterance]) -> list[str]:
    return [
        f"[{u.start:.0f}] {u.speaker} ({'lecturer' if u.is_host else 'student'}): {' '.join(u.text.split())}"
        for u in utterances
    ]


def chunks(lines: list[str], *, size: int = CHUNK_CHARS) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    length = 0
    for line in lines:
        if current and length + len(line) > size:
            parts.append("\n".join(current))
            current, length = [], 0
        current.append(line)
        length += len(line) + 1
    if current:
        parts.append("\n".join(current))
    return parts


def _ask(prompt: str, *, model: str) -> dict[str, Any]:
    return llm.complete_json(
        messages=[{"role": "system", "content": _INSTRUCTIONS}, {"role": "user", "content": prompt}],
        schema=SCHEMA,
        schema_name="lecture_summary",
        model=model,
    )


def summarize(utterances: list[Utterance], *, title: str, model: str) -> Summary:
    """The LLM's summary, validated; raises llm.LLMError or ValueError when there is none to trust."""
    parts = chunks(transcript_lines(utterances))
    if not parts:
        raise ValueError("nothing was transcribed")
    if len(parts) == 1:
        content = _ask(f"Lecture: {title}\n\nTranscript:\n{parts[0]}", model=model)
    else:
        partials = [
            _ask(f"Lecture: {title}\nPart {n} of {len(parts)} of the transcript:\n{part}", model=model)
            for n, part in enumerate(parts, start=1)
        ]
        content = _ask(
            f"Lecture: {title}\nThese are summaries of the {len(parts)} consecutive parts of this lecture. "
            "Merge them into one summary of the whole lecture: one overview; topics and key terms without "
            "duplicates (keep the earliest start); every action item; every question (answered if any part "
            f"answered it).\n\n{json.dumps(partials)}",
            model=model,
        )
    return validate(content, utterances=utterances, provider=model)


def validate(content: dict[str, Any], *, utterances: list[Utterance], provider: str) -> Summary:
    """The reply as a Summary, or ValueError: times must fall inside the lecture, names must be students'."""
    summary = Summary.model_validate(
        {**content, "provider": provider, "note": "", "generated_at": datetime.now(tz=UTC).isoformat()}
    )
    if not summary.overview.strip():
        raise ValueError("the summary has no overview")
    last = max(u.end for u in utterances) + 60
    starts = [
        *(p.start for p in summary.topics),
        *(t.start for t in summary.key_terms),
        *(a.start for a in summary.action_items),
        *(q.start for q in summary.questions),
    ]
    if any(start > last for start in starts):
        raise ValueError("the summary points at moments after the lecture ended")
    students = {u.speaker for u in utterances if not u.is_host}
    for question in summary.questions:
        if question.asked_by not in students:
            question.asked_by = ""  # never a name that is not a transcribed student's
        if question.answer_start is not None and question.answer_start > last:
            raise ValueError("an answer points after the lecture ended")
    return summary
