"""The working-day calendar: legal deadlines count working time, not calendar time.

Rules (domain.md):
- A working day is Monday–Friday, minus Vietnamese public holidays and substituted days off, plus official make-up
  working Saturdays, as `holidays.VN` knows them; `CalendarOverride` rows (edited by an administrator when a
  decision is announced after the library was released) win over the library.
- Office hours are the same on every working day: by default 07:30–11:30 and 13:30–17:00, Asia/Ho_Chi_Minh.
  [to check] These are the hours most provinces publish; `settings.TINHSO_OFFICE_HOURS` overrides them, e.g.
  `[("07:00", "11:30"), ("13:30", "17:00")]`.

Definitions used by deadlines:
- The *clock start* of a dossier is the moment it was received if that moment lies in office hours on a working
  day; otherwise the opening of the next office period (a dossier filed online on Saturday evening starts at 07:30
  on Monday, or later when Monday is a holiday; one filed during the lunch break starts at 13:30). Counter and postal
  receptions normally happen during office hours; when one is recorded after hours the same rule applies.
- A processing time of N *working days* ends with the office day of the N-th working day after the clock start's
  day, at the close of office hours: received at 10:00 on a Friday, 1 working day → due at 17:00 on the next
  working day, so a result handed over any time that day is on time. [common]
- A *same-day* ("trong ngày") processing time ends at the close of the clock start's working day, or of the next
  working day when the dossier was received after the cut-off, 15:00 by default (NĐ 23/2015/NĐ-CP, Điều 7, for
  chứng thực; `settings.TINHSO_SAME_DAY_CUTOFF` changes it). [verified]
- A processing time of N *calendar days* ends at the close of office hours of the N-th day after the clock start's
  day; when that day is not a working day, at the close of the next working day (Bộ luật Dân sự 2015, Điều 148:
  a time limit ending on a day off ends on the next working day). [to check for each procedure's own law]
- A processing time of H *working hours* consumes H hours of office time from the clock start.
- *Working seconds between* two moments is the office time of working days between them; a paused supplement
  period is measured this way and the due time is pushed forward by as much office time.

Overrides are cached per process. Every write to them, by any process or tool, gives the one `CalendarStamp` row a
new random value (database triggers). During a request the cached calendar is used while its stamp is the one read
in that request: a statement the request sends anyway reads the stamp along (`stamp_subquery`, in the session
load of tinhso.accounts.sessions) and hands it over with `stamp_seen`; a request that sent none reads it with one
small statement the first time it needs the calendar. So a saved or deleted override counts from the next request
in every process, and a request that finds the stamp unchanged sends no statement for the calendar. Outside
requests (tasks, commands) the cache lasts `CACHE_SECONDS`; a save or delete here also drops it at once.
"""

import functools
import secrets
import threading
import time as monotonic_time
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db.models import Subquery
from django.db.models.signals import post_delete, post_save

from .models import CalendarOverride, CalendarStamp

DEFAULT_OFFICE_HOURS = (("07:30", "11:30"), ("13:30", "17:00"))  # [to check] see the module docstring
DEFAULT_SAME_DAY_CUTOFF = "15:00"  # NĐ 23/2015/NĐ-CP, Điều 7
CACHE_SECONDS = 60
MAX_SEARCH_DAYS = 3660  # ten years without a working day means a broken override table


def _parse_clock(value) -> time:
    if isinstance(value, time):
        return value
    hours, minutes = str(value).split(":")
    return time(int(hours), int(minutes))


def office_periods() -> list[tuple[time, time]]:
    raw = getattr(settings, "TINHSO_OFFICE_HOURS", None) or DEFAULT_OFFICE_HOURS
    periods = sorted((_parse_clock(a), _parse_clock(b)) for a, b in raw)
    if not periods or any(a >= b for a, b in periods):
        raise ValueError("TINHSO_OFFICE_HOURS must list (opening, closing) pairs with opening < closing")
    return periods


def same_day_cutoff() -> time:
    return _parse_clock(getattr(settings, "TINHSO_SAME_DAY_CUTOFF", None) or DEFAULT_SAME_DAY_CUTOFF)


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE or "Asia/Ho_Chi_Minh")


@functools.lru_cache(maxsize=64)
def _vn_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("VN", years=year)


class WorkingCalendar:
    """The calendar with a fixed set of overrides; build one with `WorkingCalendar.load()` for bulk work."""

    def __init__(self, overrides: dict[date, str] | None = None,
                 periods: Iterable[tuple[time, time]] | None = None, zone: ZoneInfo | None = None):
        self.overrides = dict(overrides or {})
        self.periods = list(periods) if periods is not None else office_periods()
        self.zone = zone or local_zone()

    @classmethod
    def load(cls) -> "WorkingCalendar":
        return cls(dict(CalendarOverride.objects.values_list("date", "kind")))

    # --- days -------------------------------------------------------------------------------------------------
    def is_working_day(self, d: date) -> bool:
        kind = self.overrides.get(d)
        if kind is not None:
            return kind == CalendarOverride.Kind.WORKING_DAY
        return _vn_holidays(d.year).is_working_day(d)

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after `d`."""
        for _ in range(MAX_SEARCH_DAYS):
            d += timedelta(days=1)
            if self.is_working_day(d):
                return d
        raise ValueError("no working day found")

    def add_working_days(self, d: date, n: int) -> date:
        for _ in range(n):
            d = self.next_working_day(d)
        return d

    # --- moments ----------------------------------------------------------------------------------------------
    def localize(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            return moment.replace(tzinfo=self.zone)
        return moment.astimezone(self.zone)

    def periods_on(self, d: date) -> list[tuple[datetime, datetime]]:
        if not self.is_working_day(d):
            return []
        return [(datetime.combine(d, a, self.zone), datetime.combine(d, b, self.zone)) for a, b in self.periods]

    def next_working_moment(self, moment: datetime) -> datetime:
        """`moment` itself when it lies in office hours [opening, closing); else the next opening."""
        moment = self.localize(moment)
        d = moment.date()
        for _ in range(MAX_SEARCH_DAYS):
            for start, end in self.periods_on(d):
                if moment < start:
                    return start
                if moment < end:
                    return moment
            d += timedelta(days=1)
            moment = datetime.combine(d, time(0), self.zone)
        raise ValueError("no working period found")

    def closing_on(self, d: date) -> datetime:
        """The close of office hours on working day `d`."""
        return datetime.combine(d, self.periods[-1][1], self.zone)

    def next_working_day_from(self, d: date) -> date:
        """`d` when it is a working day, else the next one."""
        return d if self.is_working_day(d) else self.next_working_day(d)

    def due(self, start: datetime, amount: int, unit: str, *, cutoff: time | None = None) -> datetime:
        """The due moment of a processing time counted from `start` (the reception), by unit: working_days,
        same_day, calendar_days or hours (module docstring)."""
        moment = self.next_working_moment(start)
        if unit == "hours":
            return self.add(moment, hours=amount)
        if unit == "same_day":
            late = moment.time() > (cutoff or same_day_cutoff())
            return self.closing_on(self.next_working_day(moment.date()) if late else moment.date())
        if unit == "calendar_days":
            return self.closing_on(self.next_working_day_from(moment.date() + timedelta(days=amount)))
        return self.add(moment, days=amount)

    def add(self, start: datetime, *, days: int = 0, hours: float = 0, seconds: float = 0) -> datetime:
        """Due moment after `days` working days (the close of the N-th working day) and then `hours` + `seconds`
        of office time (module docstring)."""
        moment = self.next_working_moment(start)
        if days:
            target = self.add_working_days(moment.date(), days)
            moment = self.closing_on(target)
        remaining = timedelta(hours=hours, seconds=seconds)
        if remaining <= timedelta(0):
            return moment
        d = moment.date()
        for _ in range(MAX_SEARCH_DAYS):
            for period_start, period_end in self.periods_on(d):
                if period_end <= moment:
                    continue
                begin = max(moment, period_start)
                available = period_end - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
            d += timedelta(days=1)
        raise ValueError("no working period found")

    def subtract(self, end: datetime, *, seconds: float) -> datetime:
        """The latest moment from which `seconds` of office time lead to `end` (the inverse of `add` for a due
        time pushed by a pause). Landing on an opening gives the previous closing: a due time at the close of a
        day stays at the close of a day."""
        moment = self.localize(end)
        remaining = timedelta(seconds=seconds)
        if remaining <= timedelta(0):
            return moment
        d = moment.date()
        for _ in range(MAX_SEARCH_DAYS):
            for period_start, period_end in reversed(self.periods_on(d)):
                if period_start >= moment:
                    continue
                finish = min(moment, period_end)
                available = finish - period_start
                if remaining < available:
                    return finish - remaining
                remaining -= available
                moment = period_start
            d -= timedelta(days=1)
            if remaining <= timedelta(0):
                # Consumed exactly at an opening: the previous working period's closing.
                for _ in range(MAX_SEARCH_DAYS):
                    periods = self.periods_on(d)
                    if periods:
                        return periods[-1][1]
                    d -= timedelta(days=1)
        raise ValueError("no working period found")

    def working_seconds_between(self, a: datetime, b: datetime) -> float:
        a, b = self.localize(a), self.localize(b)
        if b <= a:
            return 0.0
        total = timedelta(0)
        d = a.date()
        while d <= b.date():
            for start, end in self.periods_on(d):
                lo, hi = max(start, a), min(end, b)
                if hi > lo:
                    total += hi - lo
            d += timedelta(days=1)
        return total.total_seconds()


# --- the process-wide calendar ---------------------------------------------------------------------------------
_lock = threading.Lock()
_cached: tuple[float, WorkingCalendar, int | None] | None = None  # (loaded at, calendar, stamp it was loaded under)
_UNREAD = object()
_request = threading.local()  # this thread's request: in_request, stamp (read in it, or _UNREAD), calendar


def stamp_subquery() -> Subquery:
    """The calendar's stamp as a scalar subquery, for a statement a request sends anyway (then `stamp_seen`)."""
    return Subquery(CalendarStamp.objects.filter(pk=1).values("stamp")[:1])


def stamp_seen(stamp: int | None) -> None:
    """A statement of the current request read the stamp along (None: the stamp row is missing)."""
    if getattr(_request, "in_request", False) and _request.stamp is _UNREAD:
        _request.stamp = stamp


def _read_stamp() -> int | None:
    return CalendarStamp.objects.filter(pk=1).values_list("stamp", flat=True).first()


def _restored_stamp() -> int:
    """The stamp row again when it is missing (a flushed table, a restore without it), with a new random value: no
    process holds a calendar loaded under it, so every one reloads once and then compares again."""
    return CalendarStamp.objects.get_or_create(pk=1, defaults={"stamp": secrets.randbits(53)})[0].stamp


def get_calendar() -> WorkingCalendar:
    global _cached
    if getattr(_request, "in_request", False):
        if _request.calendar is not None:
            return _request.calendar
        if _request.stamp is _UNREAD:
            _request.stamp = _read_stamp()
        if _request.stamp is None:  # no stamp row: nothing to compare with until it is back
            _request.stamp = _restored_stamp()
        stamp, cached = _request.stamp, _cached
        if cached is not None and cached[2] == stamp:
            calendar = cached[1]
        else:
            calendar = WorkingCalendar.load()  # the stamp was read before: a label never newer than the rows
            with _lock:
                _cached = (monotonic_time.monotonic(), calendar, stamp)
        _request.calendar = calendar
        return calendar
    with _lock:
        if _cached is not None and monotonic_time.monotonic() - _cached[0] < CACHE_SECONDS:
            return _cached[1]
    calendar = WorkingCalendar.load()
    with _lock:
        _cached = (monotonic_time.monotonic(), calendar, None)
    return calendar


def clear_cache(*args, **kwargs) -> None:
    global _cached
    with _lock:
        _cached = None
    _request.calendar = None
    _request.stamp = _UNREAD  # this thread's own write changed the stamp


def _request_started(**kwargs) -> None:
    _request.in_request, _request.stamp, _request.calendar = True, _UNREAD, None


def _request_finished(**kwargs) -> None:
    _request.in_request, _request.stamp, _request.calendar = False, _UNREAD, None


post_save.connect(clear_cache, sender=CalendarOverride, dispatch_uid="calendar-override-saved")
post_delete.connect(clear_cache, sender=CalendarOverride, dispatch_uid="calendar-override-deleted")
request_started.connect(_request_started, dispatch_uid="calendar-per-request")
request_finished.connect(_request_finished, dispatch_uid="calendar-request-finished")


def is_working_day(d: date) -> bool:
    return get_calendar().is_working_day(d)


def add_working_time(start: datetime, *, days: int = 0, hours: float = 0, seconds: float = 0) -> datetime:
    return get_calendar().add(start, days=days, hours=hours, seconds=seconds)


def clock_start(submitted_at: datetime, channel: str = "online") -> datetime:
    """When the deadline starts counting. The rule is the same for every channel (module docstring); `channel`
    is kept so a province can treat channels differently without changing callers."""
    return get_calendar().next_working_moment(submitted_at)


def working_seconds_between(a: datetime, b: datetime) -> float:
    return get_calendar().working_seconds_between(a, b)


def due_moment(start: datetime, amount: int, unit: str) -> datetime:
    return get_calendar().due(start, amount, unit)
