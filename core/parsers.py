"""Request parsers for the API."""

import orjson
from rest_framework import parsers
from rest_framework.exceptions import ParseError

NESTED_TOO_DEEPLY = "JSON parse error - the document is nested too deeply."


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with absurdly deep nesting answered as a 400 instead of a crash.

    Python's json module recurses once per nested array or object, so a body
    of a few hundred kilobytes of "[" exhausts the interpreter's stack.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(NESTED_TOO_DEEPLY) from None


class FastJSONParser(JSONParser):
    """JSON bodies parsed by orjson, for the hot endpoints.

    Accepts what DRF's parser accepts, save numbers beyond a double's range and
    lone surrogates, which it refuses as 400s too; nesting is capped at 1024
    levels (orjson's limit), far beyond any real request.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", "utf-8")
        if encoding.lower().replace("_", "-") not in ("utf-8", "utf8"):
            return super().parse(stream, media_type, parser_context)
        try:
            return orjson.loads(stream.read())
        except orjson.JSONDecodeError as exc:
            if str(exc).startswith("depth limit exceeded"):
                raise ParseError(NESTED_TOO_DEEPLY) from None
            raise ParseError(f"JSON parse error - {exc}") from None
