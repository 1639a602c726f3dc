from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared infrastructure every feature app may use; it imports none of them."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = "Core"

    def ready(self):
        from core.content_version import connect_page_signals
        from core.throttling import count_allauth_rate_limits_in_counters

        connect_page_signals()
        count_allauth_rate_limits_in_counters()
