from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared infrastructure every feature app may use; it imports none of them."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = "Core"

    def ready(self):
        from django.core.signals import request_finished, request_started

        from core.content_version import connect_page_signals, forget_for_request
        from core.throttling import count_allauth_rate_limits_in_counters

        connect_page_signals()
        count_allauth_rate_limits_in_counters()
        request_started.connect(forget_for_request, dispatch_uid="content-version-request-started")
        request_finished.connect(forget_for_request, dispatch_uid="content-version-request-finished")
