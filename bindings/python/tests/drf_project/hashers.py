"""Django's PBKDF2 hasher with few iterations, so that tests stay fast (same format)."""

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class FastPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    iterations = 1000
