from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """Subject access and erasure of a client's personal data (manage.py export_client and
    erase_client). It reads every app and nothing imports it; it has no models."""

    name = "privacy"
    verbose_name = "Privacy"
