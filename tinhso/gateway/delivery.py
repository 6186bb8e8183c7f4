"""The one HTTP sender of the gateway (webhooks and connectors): a POST of JSON with a short timeout, never a
redirect, and the answer reduced to (status code, first bytes of the body) or an error text."""

import json
import urllib.error
import urllib.request
from dataclasses import dataclass


@dataclass
class Answer:
    status: int | None
    body: str
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a receiver that redirects is answering wrongly
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def canonical_json(payload) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def post_json(url: str, body: bytes, *, headers: dict[str, str], timeout: float) -> Answer:
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8",
                                              "User-Agent": "TinhSo-LGSP/1", **headers})
    try:
        with _opener.open(request, timeout=timeout) as response:
            return Answer(response.status, response.read(2000).decode("utf-8", "replace"))
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, exc.read(2000).decode("utf-8", "replace") if exc.fp else "", f"HTTP {exc.code}")
    except (OSError, ValueError) as exc:  # refused, timed out, DNS, bad URL
        return Answer(None, "", (str(exc) or exc.__class__.__name__)[:500])
