"""What the AI assistant heard: one row per final utterance, stored as it is finalised."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import models
from django.db.models import F


class TranscriptSegment(models.Model):
    """One final utterance of one speaker, written the moment the speech-to-text engine finalises it."""

    lecture = models.ForeignKey("rooms.Lecture", on_delete=models.CASCADE, related_name="segments")
    speaker_identity = models.CharField(max_length=200)
    speaker_name = models.CharField(max_length=200)
    start = models.FloatField(help_text="seconds from the lecture's start")
    end = models.FloatField(help_text="seconds from the lecture's start")
    text = models.TextField()
    engine = models.CharField(max_length=30, help_text="whisper, deepgram, …")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "lectures_transcriptsegment"
        ordering = ["start", "pk"]
        indexes = [
            models.Index(fields=["lecture", "start"]),
            GinIndex(SearchVector("text", config="english"), name="segment_text_search"),
            # lecture + text in one GIN (btree_gin): the lecture page's search stays on the index
            GinIndex(F("lecture"), SearchVector("text", config="english"), name="segment_lecture_text_search"),
        ]

    def __str__(self) -> str:
        return f"[{self.start:.1f}s] {self.speaker_name}: {self.text[:40]}"
