"""Site-wide state every layer may read: the AI settings admins edit, rate-limit counters, agent heartbeats."""

from typing import Any

from django.conf import settings
from django.db import models


class AISettings(models.Model):
    """The AI assistant's settings: one row, editable by admins, first filled from the environment."""

    class Engine(models.TextChoices):
        WHISPER = "whisper", "Whisper on this server (offline)"
        DEEPGRAM = "deepgram", "Deepgram streaming (needs DEEPGRAM_API_KEY)"

    class SummaryProvider(models.TextChoices):
        LOCAL = "local", "Local summarizer (offline)"
        OPENAI = "openai", "OpenAI-compatible LLM (needs OPENAI_API_KEY)"

    engine = models.CharField(max_length=12, choices=Engine.choices, default=Engine.WHISPER)
    whisper_model = models.CharField(
        max_length=500,
        blank=True,
        help_text="folder of a CTranslate2 Whisper model; empty = WHISPER_MODEL, or the bundled tiny.en",
    )
    language = models.CharField(max_length=10, default="en", help_text="spoken language, e.g. en")
    summary_provider = models.CharField(max_length=12, choices=SummaryProvider.choices, default=SummaryProvider.LOCAL)
    openai_model = models.CharField(max_length=100, blank=True, help_text="empty = OPENAI_MODEL")
    ai_assistant_default = models.BooleanField(default=True, help_text="new rooms start with the AI assistant on")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "adminpanel_aisettings"
        verbose_name = "AI settings"
        verbose_name_plural = "AI settings"

    def __str__(self) -> str:
        return "AI settings"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.pk = 1  # a singleton: whatever is saved is the one row
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> "AISettings":
        """The settings row, created from the environment's defaults the first time it is read."""
        row, _ = cls.objects.get_or_create(pk=1, defaults=cls.defaults_from_environment())
        return row

    @classmethod
    def defaults_from_environment(cls) -> dict[str, object]:
        return {
            "engine": cls.Engine.DEEPGRAM if settings.DEEPGRAM_API_KEY else cls.Engine.WHISPER,
            "whisper_model": "",
            "language": settings.WHISPER_LANGUAGE,
            "summary_provider": cls.SummaryProvider.OPENAI if settings.OPENAI_API_KEY else cls.SummaryProvider.LOCAL,
            "openai_model": "",
            "ai_assistant_default": settings.AI_ASSISTANT_DEFAULT,
        }

    @property
    def effective_engine(self) -> str:
        """The engine that will run: Deepgram only when its key is configured."""
        if self.engine == self.Engine.DEEPGRAM and settings.DEEPGRAM_API_KEY:
            return self.Engine.DEEPGRAM
        return self.Engine.WHISPER

    @property
    def effective_whisper_model(self) -> str:
        return self.whisper_model or settings.WHISPER_MODEL

    @property
    def effective_openai_model(self) -> str:
        return self.openai_model or settings.OPENAI_MODEL

    @property
    def uses_llm(self) -> bool:
        return self.summary_provider == self.SummaryProvider.OPENAI and bool(settings.OPENAI_API_KEY)


class RateLimitHit(models.Model):
    """One counted attempt (a failed PIN, an unknown invite code) under a key such as "pin-ip:1.2.3.4"."""

    key = models.CharField(max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "moderation_ratelimithit"
        indexes = [models.Index(fields=["key", "created_at"])]

    def __str__(self) -> str:
        return self.key


class SiteDefaults(models.Model):
    """What new rooms start with and how long lectures are kept: one row, edited by admins."""

    recording_default = models.BooleanField(default=False, help_text="new rooms start recording when opened")
    student_uploads_default = models.BooleanField(default=False, help_text="students may share files in new rooms")
    attendee_access_default = models.BooleanField(
        default=False, help_text="students who attended may open the lecture page afterwards, in new rooms"
    )
    retention_days = models.PositiveIntegerField(default=365, help_text="days a finished lecture is kept")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "site defaults"
        verbose_name_plural = "site defaults"

    def __str__(self) -> str:
        return "site defaults"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.pk = 1  # a singleton, as AISettings
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> "SiteDefaults":
        row, _ = cls.objects.get_or_create(pk=1)
        return row


class AgentWorker(models.Model):
    """An AI assistant worker's last heartbeat (written by agent/services.py): how the web knows
    which workers are registered and how loaded they are. LiveKit's server API does not list workers."""

    worker_id = models.CharField(max_length=100, unique=True)
    host = models.CharField(max_length=255, blank=True)
    load = models.FloatField(default=0.0, help_text="0 to 1, as the worker reports it to LiveKit")
    jobs = models.PositiveIntegerField(default=0, help_text="lectures it captions now")
    max_jobs = models.PositiveIntegerField(default=1)
    started_at = models.DateTimeField()
    last_seen_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["worker_id"]

    def __str__(self) -> str:
        return self.worker_id
