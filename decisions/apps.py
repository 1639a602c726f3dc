from datetime import timedelta

from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "decisions"
    verbose_name = "Decisions"

    def ready(self):
        from core.periodic import register_periodic_task
        from decisions.tasks import check_decisions

        register_periodic_task(check_decisions, every=timedelta(hours=1))
