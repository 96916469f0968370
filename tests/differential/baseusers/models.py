"""A minimal custom user model on AbstractBaseUser: a `login` field, no is_active field (the
class attribute AbstractBaseUser.is_active = True applies) and no staff/superuser fields (plain
class attributes, so DRF's IsAdminUser reads False as it would on such a project)."""
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models


class Account(AbstractBaseUser):
    login = models.CharField(max_length=150, unique=True)

    is_staff = False
    is_superuser = False

    USERNAME_FIELD = "login"
    REQUIRED_FIELDS = []

    objects = BaseUserManager()

    class Meta:
        db_table = "base_account"
