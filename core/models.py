from django.db import models


class ContentVersion(models.Model):
    """One row whose token changes whenever the matrix or the chooser changes.

    Each process keeps its engine snapshot in memory and compares this token
    (one indexed read) before using it, so an edit made through any worker is
    seen by every worker at its next request.
    """

    key = models.CharField(max_length=40, unique=True)
    # A fresh random value rather than a counter: a bump rolled back with its
    # transaction can never be confused with a later, committed one.
    token = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.key} {self.token}"


class PeriodicTask(models.Model):
    """When a scheduled task was last enqueued: all the state the schedule keeps.

    Which tasks run and how often is code (core.periodic's registry); this row
    is what lets several schedulers share the schedule. A scheduler claims a due
    run by moving last_enqueued_at forward in one conditional UPDATE, so only
    one of them enqueues it.
    """

    name = models.CharField(max_length=200, unique=True, help_text="The task's module path.")
    last_enqueued_at = models.DateTimeField(null=True, blank=True)
    last_result_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name
