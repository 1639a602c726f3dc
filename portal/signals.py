"""Account events that must reach the API tokens."""

from allauth.account.signals import password_changed, password_reset, password_set
from django.utils import timezone
from wagtail.models import APIToken


def revoke_api_tokens(sender=None, *, user, **kwargs) -> None:
    """A new password ends every API token: one may have leaked with the old password."""
    APIToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


def connect() -> None:
    password_changed.connect(revoke_api_tokens, dispatch_uid="revoke-api-tokens-changed")
    password_reset.connect(revoke_api_tokens, dispatch_uid="revoke-api-tokens-reset")
    password_set.connect(revoke_api_tokens, dispatch_uid="revoke-api-tokens-set")
