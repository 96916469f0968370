"""A custom user model as many projects write it: Django's AbstractUser logging in by e-mail,
with is_active stored in a column of another name (DJANGO.USER_MODEL.FIELDS maps it)."""
from django.contrib.auth.models import AbstractUser
from django.db import models


class EmailUser(AbstractUser):
    email = models.EmailField(unique=True)
    is_active = models.BooleanField(default=True, db_column="active")

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["username"]
