"""A fast JSON renderer and a fixed content negotiation for the hot API endpoints."""

import orjson
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.utils.encoders import JSONEncoder

_fallback = JSONEncoder().default


class FastJSONRenderer(BaseRenderer):
    """JSON written by orjson: the same document as DRF's compact, non-ASCII-escaping JSONRenderer.

    Types orjson does not know natively (lazy translations, Decimal, QuerySets...)
    go through DRF's own encoder.
    """

    media_type = "application/json"
    format = "json"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        return orjson.dumps(data, default=_fallback, option=orjson.OPT_NON_STR_KEYS)


class FixedContentNegotiation(DefaultContentNegotiation):
    """Always the view's first renderer: an endpoint that only speaks JSON need not read Accept."""

    def select_renderer(self, request, renderers, format_suffix=None):
        renderer = renderers[0]
        return renderer, renderer.media_type
