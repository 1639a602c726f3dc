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
