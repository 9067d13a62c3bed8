"""The shape of Lecture.summary: what the summarizers produce and the lecture page renders.

Every point carries `start`, seconds from the lecture's start, linking it to its moment in the
transcript. The offline summarizer and the LLM path both produce exactly this, validated here
before it is stored.
"""

from pydantic import BaseModel, Field


class Point(BaseModel):
    text: str
    start: float = Field(ge=0, description="seconds from the lecture's start")


class KeyTerm(BaseModel):
    term: str
    start: float = Field(ge=0)
    definition: str = ""


class ActionItem(BaseModel):
    text: str
    deadline: str = Field("", description='as said, e.g. "next Monday at noon"; empty when none')
    start: float = Field(ge=0)


class Question(BaseModel):
    text: str
    asked_by: str = Field("", description="display name of the student; empty for opted-out speakers")
    start: float = Field(ge=0)
    answered: bool
    answer_start: float | None = None


class Summary(BaseModel):
    overview: str
    topics: list[Point] = []
    key_terms: list[KeyTerm] = []
    action_items: list[ActionItem] = []
    questions: list[Question] = []
    provider: str = Field(description="local, or the LLM model name")
    note: str = Field("", description="e.g. why the LLM path fell back to the local summarizer")
    generated_at: str = Field(description="ISO 8601")
