"""A small Django 3.2 + DRF 3.14 project for the integration tests (settings live in test_drf.py)."""
