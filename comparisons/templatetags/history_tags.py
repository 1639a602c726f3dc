from django import template

from comparisons.history import describe_change as describe

register = template.Library()


@register.filter
def describe_change(change) -> str:
    """A published change in one line: “Steep” (2/5) → “Moderate” (3/5)."""
    return describe(change)
