from django.db import transaction

from accounts.models import User


@transaction.atomic
def assign_initial_role(*, user: User) -> User:
    """The first account ever created becomes ADMIN; every later one is a HOST."""
    # The table lock makes two simultaneous first sign-ups agree on who was first.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f'LOCK TABLE "{User._meta.db_table}" IN SHARE ROW EXCLUSIVE MODE')
    is_first = not User.objects.exclude(pk=user.pk).exists()
    user.role = User.Role.ADMIN if is_first else User.Role.HOST
    if is_first:
        user.is_staff = True
        user.is_superuser = True
    user.save(update_fields=["role", "is_staff", "is_superuser"])
    return user


def update_profile(*, user: User, name: str) -> User:
    """Change how the user is shown to others (tiles, chat, captions, exports of later lectures)."""
    user.name = name
    user.save(update_fields=["name"])
    return user
