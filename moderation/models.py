from django.db import models


class HandRaise(models.Model):
    """A raised hand in a lecture: the ordered queue the host sees (oldest first)."""

    lecture = models.ForeignKey("rooms.Lecture", on_delete=models.CASCADE, related_name="hands")
    guest = models.ForeignKey("participants.GuestSession", on_delete=models.CASCADE, related_name="hands")
    identity = models.CharField(max_length=200)
    raised_at = models.DateTimeField(auto_now_add=True)
    lowered_at = models.DateTimeField(null=True, blank=True)
    lowered_by = models.CharField(max_length=200, blank=True, help_text="self, or the moderator who lowered it")

    class Meta:
        ordering = ["raised_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["lecture", "guest"], condition=models.Q(lowered_at__isnull=True), name="one_raised_hand"
            )
        ]

    def __str__(self) -> str:
        return f"hand of {self.guest.display_name}"
