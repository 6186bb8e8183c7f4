"""The validator's fast path (text comparisons for the usual row shape) decides exactly as the exact path."""

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tinhso.dossiers.importing import _fixed_offset, _Validator

from .test_importing import AGENCY
from .test_statistics import make_procedure

VN = ZoneInfo("Asia/Ho_Chi_Minh")
STATUSES = ["pending", "supplement", "resolved", "returned", "withdrawn", "stopped", "refused", "nonsense"]


def _text(rng: random.Random, moment: datetime) -> str:
    """One instant written in one of the ways an old system may write it, most often the usual one."""
    kind = rng.choice(["usual"] * 12 + ["fraction", "fraction", "zeros", "millis", "utc", "z", "space", "minutes",
                                        "naive", "garbage", "other"])
    if kind == "usual":
        return moment.astimezone(VN).replace(microsecond=0).isoformat()
    if kind == "fraction":
        return moment.astimezone(VN).replace(microsecond=rng.choice([1, 500000, 999999])).isoformat()
    if kind == "zeros":
        return moment.astimezone(VN).replace(microsecond=0).isoformat(timespec="microseconds")
    if kind == "millis":
        return moment.astimezone(VN).isoformat(timespec="milliseconds")
    if kind == "utc":
        return moment.astimezone(ZoneInfo("UTC")).isoformat()
    if kind == "z":
        return moment.astimezone(ZoneInfo("UTC")).isoformat().replace("+00:00", "Z")
    if kind == "space":
        return moment.astimezone(VN).isoformat(sep=" ")
    if kind == "minutes":
        return moment.astimezone(VN).isoformat(timespec="minutes")
    if kind == "naive":
        return moment.astimezone(VN).replace(tzinfo=None).isoformat()
    if kind == "garbage":
        return rng.choice(["2025-02-30T08:00:00+07:00", "2025-07-01T08:00:00.x+07:00", "hôm qua", "2025-07-01T"])
    return moment.astimezone(ZoneInfo("Asia/Tokyo")).isoformat()


# status → the timestamps a consistent row has (received, due, resolved, returned, withdrawn)
PRESENT = {"pending": (1, 1, 0, 0, 0), "supplement": (1, 1, 0, 0, 0), "resolved": (1, 1, 1, 0, 0),
           "returned": (1, 1, 1, 1, 0), "withdrawn": (1, 0, 0, 0, 1), "stopped": (1, 1, 0, 0, 0),
           "refused": (1, 0, 0, 0, 0), "nonsense": (1, 1, 0, 0, 0)}


def _sometimes(rng: random.Random, usual, *others, p: float = 0.04):
    return rng.choice(others) if rng.random() < p else usual


def _row(rng: random.Random, n: int) -> list[str]:
    received = datetime(2025, 7, 1, 8, tzinfo=VN) + timedelta(seconds=rng.randrange(0, 200 * 86400))
    # Instants near each other and near midnight, often equal: where text and instant comparisons could differ.
    due = received + timedelta(seconds=rng.choice([0, 1, 3600, 86400, 5 * 86400, -1]))
    resolved = due + timedelta(seconds=rng.choice([0, -1, 1, -86400, 86400, -3600 * 9, 3600 * 15]))
    returned = resolved + timedelta(seconds=rng.choice([0, 1, -1, 3600]))
    withdrawn = received + timedelta(seconds=rng.choice([0, 1, -1, 86400]))
    status = _sometimes(rng, rng.choice(["pending", "resolved", "returned", "returned", "withdrawn", "refused"]),
                        "supplement", "stopped", "nonsense", p=0.1)
    present = [bool(flag) != (rng.random() < 0.03) for flag in PRESENT[status]]  # now and then one too many or few
    texts = [_text(rng, m) if flag else "" for m, flag in zip([received, due, resolved, returned, withdrawn],
                                                                 present, strict=True)]
    asked = _text(rng, received + timedelta(hours=1)) if status == "supplement" or rng.random() < 0.03 else ""
    answered = _text(rng, received + timedelta(hours=2)) if asked and rng.random() < 0.5 else ""
    stopped = _text(rng, received + timedelta(hours=3)) if status == "stopped" or rng.random() < 0.02 else ""
    code = _sometimes(rng, f"H56-{n:06d}", "", "H56 0001", "H56-000001", " H56-x ")
    procedure = _sometimes(rng, "1.001193", "9.999999", "")
    agency = _sometimes(rng, AGENCY, AGENCY.lower(), "000.00.99.H56", "")
    channel = _sometimes(rng, rng.choice(["online", "direct", "postal"]), "fax", "")
    return [code, procedure, agency, channel, *texts, status, asked, answered, stopped, ""]


def _decide(validator: _Validator, line: int, values: list[str]):
    validator.seen, validator.errors, validator.error_count, validator.valid = {}, [], 0, 0
    if values[0] == "H56-000001":  # a code repeated within the file
        validator.seen["H56-000001"] = 1
    rows = list(validator.rows([(line, values)]))
    return rows, validator.errors, validator.valid, validator.warnings


@pytest.mark.smoke
def test_the_fast_path_decides_every_row_as_the_exact_path(world):
    make_procedure(agencies=[world.justice])
    fast, exact = _Validator(), _Validator()
    exact.local_offset = None  # every row through the exact path
    assert fast.local_offset == "+07:00"
    exact_rows = []
    checked = fast._checked
    fast._checked = lambda line, values: exact_rows.append(line) or checked(line, values)
    rng = random.Random(20261202)
    accepted = by_fast_path = 0
    for n in range(3000):
        values = _row(rng, n)
        before = len(exact_rows)
        got, want = _decide(fast, n + 2, values), _decide(exact, n + 2, values)
        assert got == want, values
        accepted += bool(got[0])
        by_fast_path += bool(got[0]) and len(exact_rows) == before
    # Accepted and refused rows were compared, and the fast path accepted many of them (the generator writes most
    # rows in unusual ways, to compare the two paths where they could differ).
    assert 1000 < accepted < 2900 and by_fast_path > 300


def test_the_local_offset_is_read_only_from_a_zone_that_keeps_it():
    assert _fixed_offset(ZoneInfo("Asia/Ho_Chi_Minh")) == "+07:00"
    assert _fixed_offset(ZoneInfo("Asia/Kolkata")) == "+05:30"
    assert _fixed_offset(ZoneInfo("Europe/Paris")) is None  # summer time
