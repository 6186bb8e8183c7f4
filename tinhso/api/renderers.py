"""JSON as UTF-8 text: Vietnamese words are a third of the bytes they take as \\u escapes."""

from ninja.renderers import JSONRenderer


class Utf8JSONRenderer(JSONRenderer):
    # The response says `charset=utf-8`; escaping every accented letter only makes it longer.
    json_dumps_params = {"ensure_ascii": False, "separators": (",", ":")}
