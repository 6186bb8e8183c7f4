"""Failure throttling for public forms (tracking a dossier today; every public form later).

A form names one limit per key it counts (`{"tracking.code": code, "tracking.address": ip}`); the limits
live in `settings.TINHSO_THROTTLES` as {name: {"limit": failures, "window": seconds}}. Only failures count:
once a key has `limit` failures inside its window, every attempt for that key — right or wrong — is refused
with `Throttled` (HTTP 429 with Retry-After) until the window ends. The counters are rows of
`core.ThrottleCounter`, so every server process sees the same ones.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .exceptions import Throttled
from .models import ThrottleCounter

DEFAULT_LIMIT = {"limit": 10, "window": 900}


@dataclass(frozen=True)
class Limit:
    name: str
    limit: int
    window: int  # seconds


def limit_for(name: str) -> Limit:
    spec = {**DEFAULT_LIMIT, **getattr(settings, "TINHSO_THROTTLES", {}).get(name, {})}
    return Limit(name=name, limit=max(1, int(spec["limit"])), window=max(1, int(spec["window"])))


def _key(value: str) -> str:
    return (value or "").strip()[:200]


def throttled_message(retry_after: int) -> str:
    minutes = max(1, math.ceil(retry_after / 60))
    return f"Bạn đã thử sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút."


def throttle_check(*, keys: dict[str, str], now: datetime | None = None) -> None:
    """Raise `Throttled` when any of the keys has used up its failures in the current window."""
    now = now or timezone.now()
    wait = 0
    for name, value in keys.items():
        limit = limit_for(name)
        row = ThrottleCounter.objects.filter(scope=name, key=_key(value)).first()
        if row is None or row.failures < limit.limit:
            continue
        ends = row.window_start + timedelta(seconds=limit.window)
        if ends > now:
            wait = max(wait, math.ceil((ends - now).total_seconds()))
    if wait:
        raise Throttled(throttled_message(wait), retry_after=wait)


def throttle_failure(*, keys: dict[str, str], now: datetime | None = None) -> list[str]:
    """Count one failure for each key; the names of the limits this failure has just used up."""
    now = now or timezone.now()
    reached = []
    for name, value in keys.items():
        limit = limit_for(name)
        failures = _count_failure(limit, _key(value), now)
        if failures == limit.limit:
            reached.append(name)
    return reached


def _count_failure(limit: Limit, key: str, now: datetime) -> int:
    window_opened_after = now - timedelta(seconds=limit.window)
    with transaction.atomic():
        ThrottleCounter.objects.filter(scope=limit.name, window_start__lte=window_opened_after).delete()
        updated = ThrottleCounter.objects.filter(scope=limit.name, key=key).update(failures=F("failures") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    ThrottleCounter.objects.create(scope=limit.name, key=key, window_start=now, failures=1)
            except IntegrityError:  # another worker created it meanwhile
                ThrottleCounter.objects.filter(scope=limit.name, key=key).update(failures=F("failures") + 1)
        return ThrottleCounter.objects.filter(scope=limit.name, key=key).values_list("failures", flat=True).first()


def throttle_reset(*, name: str, key: str) -> None:
    """Forget the failures of one key (after a success, for keys only the rightful user can clear)."""
    ThrottleCounter.objects.filter(scope=name, key=_key(key)).delete()
