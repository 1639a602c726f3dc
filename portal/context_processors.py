from django.conf import settings


def site_meta(request):
    return {
        "SITE_NAME": settings.WAGTAIL_SITE_NAME,
        "SITE_DESCRIPTION": settings.SITE_DESCRIPTION,
    }
