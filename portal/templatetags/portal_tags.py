from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """Look a key up in a dict from a template; empty string when absent."""
    if not mapping:
        return ""
    return mapping.get(key, "")
