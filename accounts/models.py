from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models


class LecternUserManager(UserManager["User"]):
    """Users log in with their e-mail address; there is no username."""

    def _create_user_object(self, username: Any, email: str | None, password: str | None, **extra: Any) -> "User":
        user = self.model(email=self.normalize_email(email or ""), **extra)
        user.set_password(password)
        return user

    def create_user(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra: Any
    ) -> "User":
        user = self._create_user_object(None, email, password, **extra)
        user.save(using=self._db)
        return user

    def create_superuser(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra: Any
    ) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("role", User.Role.ADMIN)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    class Role(models.TextChoices):
        ADMIN = "ADMIN", "Admin"
        HOST = "HOST", "Host"

    username = None  # type: ignore[assignment]
    email = models.EmailField("e-mail address", unique=True)
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.HOST)
    name = models.CharField(
        "display name", max_length=80, blank=True, help_text="Shown to students on tiles, chat, captions and exports."
    )

    objects: ClassVar[LecternUserManager] = LecternUserManager()  # type: ignore[assignment]

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN

    @property
    def display_name(self) -> str:
        return self.name or self.get_full_name() or self.email.split("@")[0]
