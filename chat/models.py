"""What participants share during a lecture: chat messages and files."""

from django.db import models


class ChatMessage(models.Model):
    """A chat message of a lecture: public (to everyone) or private to the room's hosts."""

    class Audience(models.TextChoices):
        EVERYONE = "everyone", "Everyone"
        HOSTS = "hosts", "Hosts only"

    lecture = models.ForeignKey("rooms.Lecture", on_delete=models.CASCADE, related_name="chat_messages")
    sender_identity = models.CharField(max_length=200)
    sender_name = models.CharField(max_length=200)
    sender_role = models.CharField(max_length=10, default="guest", help_text="host, cohost or guest")
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.EVERYONE)
    text = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "rooms_chatmessage"
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["lecture", "created_at"])]

    def __str__(self) -> str:
        return f"{self.sender_name}: {self.text[:40]}"


class SharedFile(models.Model):
    """A file shared in a lecture; the bytes live in storage (local folder or S3) under `storage_key`."""

    lecture = models.ForeignKey("rooms.Lecture", on_delete=models.CASCADE, related_name="files")
    uploader_identity = models.CharField(max_length=200)
    uploader_name = models.CharField(max_length=200)
    name = models.CharField(max_length=255, help_text="sanitised file name shown and used for downloads")
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    storage_key = models.CharField(max_length=500, unique=True)
    uploaded = models.BooleanField(default=False, help_text="True once the bytes have arrived in storage")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "rooms_sharedfile"
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.name
