from django.db import models


class AttendanceInterval(models.Model):
    """One stretch of presence of one LiveKit identity in a lecture, from the webhooks."""

    lecture = models.ForeignKey("rooms.Lecture", on_delete=models.CASCADE, related_name="attendance")
    guest = models.ForeignKey(
        "participants.GuestSession", on_delete=models.SET_NULL, null=True, blank=True, related_name="attendance"
    )
    identity = models.CharField(max_length=200)
    display_name = models.CharField(max_length=200)
    role = models.CharField(max_length=10, default="guest")
    joined_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["joined_at", "pk"]
        indexes = [models.Index(fields=["lecture", "identity"])]
        constraints = [
            # A late webhook and reconciliation may both open an identity's interval at once: one wins.
            models.UniqueConstraint(
                fields=["lecture", "identity"],
                condition=models.Q(left_at__isnull=True),
                name="one_open_interval_per_identity",
            )
        ]

    def __str__(self) -> str:
        return f"{self.display_name} {self.joined_at:%H:%M}–{self.left_at or '…'}"


class DriveCredential(models.Model):
    """One account's connection to Google Drive: the OAuth refresh token, encrypted (lectures/drive.py)."""

    user = models.OneToOneField("accounts.User", on_delete=models.CASCADE, related_name="drive_credential")
    encrypted_refresh_token = models.TextField(help_text="Fernet token; never shown, never logged")
    scopes = models.CharField(max_length=500, blank=True)
    connected_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Google Drive of {self.user}"
