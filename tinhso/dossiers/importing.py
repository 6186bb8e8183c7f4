"""Bulk import of dossier history from a province's old system (`tinhso import dossiers FILE`).

Columns (CSV with a header row, or JSON Lines with these keys):
  code, procedure_code, agency_code, channel (online|direct|postal), received_at, due_at, resolved_at,
  returned_at, withdrawn_at, status (pending|supplement|resolved|returned|withdrawn|stopped|refused)
and, optionally, supplement_requested_at, supplemented_at, stopped_at, commune_code.
Timestamps are ISO 8601 with an offset (2021-03-01T08:15:00+07:00), empty where not applicable. `due_at` is kept as
the old system recorded it, never recomputed: it is the due time after any completed pause (form 02: asked at
`supplement_requested_at`, answered at `supplemented_at`); the due time before the pause is derived from it with
the working calendar. Status `supplement` is a dossier still waiting for the applicant (its pause not completed:
`due_at` is then the due time before the pause); `stopped` a dossier stopped by form 05 at `stopped_at`.
`commune_code` is the applicant's commune (stored as `applicant_unit`) by official code: a current commune
(`00082`), or a commune of before 01/07/2025 as `cu-<GSO code>` or its bare GSO code, kept as that historical
commune, whose `merged_into` is the current commune it counts for. A bare code that is both a current code and an old
commune's (27 such codes, the old commune merged elsewhere) reads as the current commune, the platform's one rule
(org.selectors.commune_resolve); for dossiers received before 01/07/2025 the import reports each such line as a
warning (`cu-` names the old commune), without refusing the file.

Every row is validated first and the errors are reported by line number; the file is imported whole or not at all;
rows are upserted by `code`, so importing the same file again changes nothing. Rows of the usual shape are validated
by a fast path on their texts, every other row by the exact path (`_Validator`). On PostgreSQL a first import
streams by one binary `COPY` straight into the dossier table while the rest of the file is validated (the database
inserts on one core while Python validates on the other). A file of more than LARGE_IMPORT_LINES lines (or of
MEDIUM_IMPORT_LINES and more than a fifth of the table) drops the dossier table's foreign keys for that COPY and
re-adds them (one validating join instead of a trigger per row); one of more than half the table's rows also builds its
full secondary indexes (the unique code among them) once after the COPY. All of it inside the import's transaction:
such an import locks the dossier table until it commits. When a code exists already (the first row's, or one the
COPY or the rebuilt unique index meets), that COPY is undone and the file is read again into a staging table, from
which one `UPDATE … FROM` rewrites the changed rows and one `INSERT … SELECT` adds the new ones. SQLite stages every
row (executemany) and upserts. Memory does not grow with the file, except for the codes already seen in it (for the
line-numbered duplicate errors). One audit event records the import with its counts and the file's SHA-256.

A CSV file of PARALLEL_IMPORT_LINES lines or more, imported from a path by a single-threaded process (the command
line) on PostgreSQL, is validated by forked workers, one per core (TINHSO_IMPORT_WORKERS; 1 keeps one core), each
over a byte range cut at a line end outside quoted fields; they send their rows' binary COPY tuples to the one COPY,
which takes them in any order. A worker's failure, any error in the file, or a code in two ranges undoes that and
the import runs on one core, which writes the line-ordered report. The rollup follows in the import's transaction:
a first import's validator counts each row's contributions as it goes (stats_rollup.Tally, from the local days on
the usual rows' texts) and adds them; a re-import takes away the contributions of the rows it rewrites and adds
what it wrote (`_upsert`, `_rollup_add_written`). On PostgreSQL imports run one at a time (IMPORT_LOCK, an advisory
lock held until the import commits), so two imports of the same new code cannot both count it.
"""

import csv
import functools
import hashlib
import io
import itertools
import json
import multiprocessing
import operator
import os
import pickle
import re
import threading
import time as _time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from dataclasses import field as dataclass_field
from datetime import UTC, datetime, timedelta
from multiprocessing import connection as mp_connection
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from psycopg import errors as psycopg_errors

try:  # psycopg's own binary row encoder (C), into 1 MB blocks: no Python call of copy.write_row per row
    from psycopg._copy_base import _binary_signature, _binary_trailer, format_row_binary
except ImportError:  # pragma: no cover - another psycopg layout: the public, slower way, on one core
    _binary_signature = _binary_trailer = format_row_binary = None

from tinhso.audit.services import audit_record
from tinhso.core.calendar import WorkingCalendar
from tinhso.core.exceptions import ImportFailed, ValidationError
from tinhso.core.numbers import vn_number
from tinhso.org.models import Agency
from tinhso.org.selectors import commune_codes
from tinhso.org.services import REORGANISATION_DATE
from tinhso.procedures.models import Procedure

from . import stats_rollup
from .choices import Channel, Status, Timeliness
from .models import Dossier
from .signals import history_imported

COLUMNS = ["code", "procedure_code", "agency_code", "channel", "received_at", "due_at", "resolved_at",
           "returned_at", "withdrawn_at", "status"]
OPTIONAL_COLUMNS = ["supplement_requested_at", "supplemented_at", "stopped_at", "commune_code"]
ALL_COLUMNS = COLUMNS + OPTIONAL_COLUMNS
STATUS_MAP = {"pending": Status.RECEIVED, "supplement": Status.SUPPLEMENT_REQUESTED, "resolved": Status.APPROVED,
              "returned": Status.RETURNED, "withdrawn": Status.WITHDRAWN, "stopped": Status.STOPPED,
              "refused": Status.REFUSED}
_STATUS_VALUES = {name: status.value for name, status in STATUS_MAP.items()}  # no enum property per row
_REFUSED = Status.REFUSED.value
MAX_REPORTED_ERRORS = 1000
MAX_CODE_LENGTH = Dossier._meta.get_field("code").max_length
STAGING_TABLE = "tinhso_dossier_import"
# Staging columns, in the order the validator produces them.
STAGING_COLUMNS = ["line", "code", "procedure_id", "agency_id", "channel", "status", "submitted_at", "received_at",
                   "due_at", "resolved_at", "timeliness", "result_issued_at", "returned_at", "withdrawn_at",
                   "refused_at", "stopped_at", "supplement_requested_at", "supplemented_at", "paused_at",
                   "due_before_pause_at", "applicant_unit_id"]
_TIMESTAMP_STAGING = {"submitted_at", "received_at", "due_at", "resolved_at", "result_issued_at", "returned_at",
                      "withdrawn_at", "refused_at", "stopped_at", "supplement_requested_at", "supplemented_at",
                      "paused_at", "due_before_pause_at"}
# Dossier column ← staging column; these are the columns an import sets and updates.
_TARGET = {"code": "code", "procedure_id": "procedure_id", "receiving_agency_id": "agency_id",
           "handling_agency_id": "agency_id", "channel": "channel", "status": "status",
           "submitted_at": "submitted_at", "received_at": "received_at", "clock_start_at": "received_at",
           "due_at": "due_at", "resolved_at": "resolved_at", "timeliness": "timeliness",
           "result_issued_at": "result_issued_at", "returned_at": "returned_at", "withdrawn_at": "withdrawn_at",
           "refused_at": "refused_at", "stopped_at": "stopped_at",
           "supplement_requested_at": "supplement_requested_at", "supplemented_at": "supplemented_at",
           "paused_at": "paused_at", "due_before_pause_at": "due_before_pause_at",
           "applicant_unit_id": "applicant_unit_id"}
_BATCH = 5000


@dataclass
class ImportResult:
    rows: int
    created: int
    updated: int
    unchanged: int
    sha256: str
    seconds: float
    # (line, message): rows imported as the platform reads them, which the operator should look at (an ambiguous
    # commune code); at most MAX_REPORTED_ERRORS, `warning_count` counts them all.
    warnings: list[tuple[int, str]] = dataclass_field(default_factory=list)
    warning_count: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


# --- reading -------------------------------------------------------------------------------------------------

def _file_format(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    raise ValidationError.for_field("file", f"Tệp “{name}” phải có đuôi .csv hoặc .jsonl.")


@dataclass(frozen=True)
class _CsvLayout:
    width: int
    positions: list[int | None]
    identity: bool
    padding: list[str] | None


def _csv_layout(header: list[str]) -> _CsvLayout:
    header = [h.strip().lower() for h in header]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ImportFailed("Tệp CSV thiếu cột bắt buộc, chưa nạp dòng nào.",
                           line_errors=[(1, f"Thiếu cột: {', '.join(missing)}")])
    return _CsvLayout(width=len(header), positions=[header.index(c) if c in header else None for c in ALL_COLUMNS],
                      identity=header == ALL_COLUMNS,
                      # the usual file: required columns only
                      padding=[""] * len(OPTIONAL_COLUMNS) if header == COLUMNS else None)


def _csv_records(stream) -> Iterator[tuple[int, list[str] | str]]:
    """(line number, values in ALL_COLUMNS order) or (line number, error message)."""
    reader = csv.reader(stream)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise ImportFailed("Tệp CSV không đọc được.", line_errors=[(1, f"Dòng tiêu đề hỏng: {exc}")]) from exc
    yield from _csv_values(reader, _csv_layout(header))


def _csv_values(reader, layout: _CsvLayout, offset: int = 0) -> Iterator[tuple[int, list[str] | str]]:
    """The records of a csv.reader past the header; `offset`: the file's lines before the reader's first."""
    width, positions, identity, padding = layout.width, layout.positions, layout.identity, layout.padding
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield offset + reader.line_num, f"Dòng CSV hỏng: {exc}"
            continue
        line = offset + reader.line_num
        if not values:
            continue
        if len(values) != width:
            yield line, f"Dòng có {len(values)} cột, tiêu đề có {width} cột."
        elif identity:
            yield line, values
        elif padding is not None:
            yield line, values + padding
        else:
            yield line, [values[p] if p is not None else "" for p in positions]


def _jsonl_records(stream) -> Iterator[tuple[int, list[str] | str]]:
    for line, text in enumerate(stream, start=1):
        if not text.strip():
            continue
        try:
            obj = json.loads(text)
        except ValueError:
            yield line, "Dòng không phải JSON hợp lệ."
            continue
        if not isinstance(obj, dict):
            yield line, "Mỗi dòng phải là một đối tượng JSON."
            continue
        values = []
        for c in ALL_COLUMNS:
            v = obj.get(c)
            values.append("" if v is None else v if isinstance(v, str) else str(v))
        yield line, values


# --- validation ----------------------------------------------------------------------------------------------

class _Validator:
    """Checks rows against precomputed lookups and turns them into staging tuples."""

    def __init__(self, *, tally: bool = False):
        # tally: also count the rollup contributions of the rows yielded (stats_rollup.Tally), for an import whose
        # rows all go into the table as validated (the first import's direct COPY).
        self.tally = stats_rollup.Tally() if tally else None
        self.procedures = dict(Procedure.objects.values_list("code", "id"))
        self.agencies = dict(Agency.objects.values_list("identifier_code", "id"))
        self.communes = commune_codes()
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.calendar = WorkingCalendar.load()
        self.seen: dict[str, int] = {}
        self.errors: list[tuple[int, str]] = []
        self.error_count = 0
        self.warnings: list[tuple[int, str]] = []
        self.warning_count = 0
        self.valid = 0
        self.has_space = re.compile(r"\s").search
        self.channels = frozenset(Channel.values)
        self.reorganised = datetime.combine(REORGANISATION_DATE, datetime.min.time(), tzinfo=self.tz)
        self.local_offset = _fixed_offset(self.tz)

    def error(self, line: int, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append((line, message))

    def warn(self, line: int, message: str) -> None:
        self.warning_count += 1
        if len(self.warnings) < MAX_REPORTED_ERRORS:
            self.warnings.append((line, message))

    def rows(self, records: Iterable[tuple[int, list[str] | str]]) -> Iterator[tuple]:
        """Staging tuples for valid rows, while the file has no error (afterwards only errors are collected).

        Most rows of a real file have one shape: no pause, no stop, no ambiguous commune, every timestamp written
        YYYY-MM-DDTHH:MM:SS[.ffffff] with the local offset. Those are checked by comparing the texts (for such
        texts, an earlier instant is always the smaller text; only equal instants written differently can compare
        otherwise) and their local dates read off the text. A row that is not of that shape, or that any of
        those checks refuses, goes through `_checked`, the exact path, which also writes the messages."""
        parse, has_space = datetime.fromisoformat, self.has_space
        procedures, agencies, seen, channels = self.procedures, self.agencies, self.seen, self.channels
        communes, ambiguous, checked = self.communes.units, self.communes.ambiguous, self._checked
        offset, strip = self.local_offset, str.strip
        early, on_time, late = Timeliness.EARLY.value, Timeliness.ON_TIME.value, Timeliness.LATE.value
        shapes = _FAST_SHAPES if offset is not None else {}
        tally = self.tally
        add_unpaused = tally.add_unpaused if tally is not None else None
        for line, values in records:
            if isinstance(values, str):
                self.error(line, values)
                continue
            (code, procedure_code, agency_code, channel, received, due, resolved, returned, withdrawn, status, asked,
             answered, stopped, commune_code) = map(strip, values)
            shape = shapes.get(status)
            row = None
            if (shape is not None and received and not (asked or answered or stopped) and code
                    and len(code) <= MAX_CODE_LENGTH and code not in seen and channel in channels
                    and not has_space(code) and (commune_code not in ambiguous or not commune_code)):
                needs_due, needs_resolved, needs_returned, needs_withdrawn = shape
                procedure_id, agency_id = procedures.get(procedure_code), agencies.get(agency_code)
                commune_id = (communes.get(commune_code) or communes.get(commune_code.lower())) if commune_code \
                    else None
                try:
                    if (procedure_id is not None and agency_id is not None
                            and (commune_id is not None or not commune_code)
                            and (bool(due) or not needs_due) and bool(resolved) is needs_resolved
                            and bool(returned) is needs_returned and bool(withdrawn) is needs_withdrawn
                            and received[-6:] == offset and received[10] == "T" and received[16] == ":"
                            and received[19] in "+."
                            and (not due or (due[-6:] == offset and due[10] == "T" and due[16] == ":"
                                             and due[19] in "+."))
                            and (not resolved or (resolved[-6:] == offset and resolved[10] == "T"
                                                  and resolved[16] == ":" and resolved[19] in "+."
                                                  and resolved >= received and "1976" <= due < "2100"
                                                  and "1976" <= resolved < "2100"))
                            and (not returned or (returned[-6:] == offset and returned[10] == "T"
                                                  and returned[16] == ":" and returned[19] in "+."
                                                  and returned >= resolved))
                            and (not withdrawn or (withdrawn[-6:] == offset and withdrawn[10] == "T"
                                                   and withdrawn[16] == ":" and withdrawn[19] in "+."
                                                   and withdrawn >= received))):
                        received_at = parse(received)
                        due_at = parse(due) if due else None
                        resolved_at = parse(resolved) if resolved else None
                        returned_at = parse(returned) if returned else None
                        withdrawn_at = parse(withdrawn) if withdrawn else None
                        timeliness = ""
                        if resolved_at is not None:  # services.classify_timeliness, on local dates read off the text
                            if resolved[:10] < due[:10]:
                                timeliness = early
                            elif resolved <= due or resolved_at <= due_at:
                                timeliness = on_time
                            else:
                                timeliness = late
                        seen[code] = line
                        self.valid += 1
                        if self.error_count:
                            continue
                        if status == "refused":
                            row = (line, code, procedure_id, agency_id, channel, _REFUSED, received_at,
                                   None, due_at, None, "", None, None, withdrawn_at, received_at, None, None,
                                   None, None, None, commune_id)
                        else:
                            row = (line, code, procedure_id, agency_id, channel, _STATUS_VALUES[status],
                                   received_at, received_at, due_at, resolved_at, timeliness,
                                   resolved_at if status == "returned" else None, returned_at, withdrawn_at,
                                   None, None, None, None, None, None, commune_id)
                            if tally is not None:  # local days read off the texts (the local offset, checked)
                                add_unpaused(agency_id, channel, timeliness, received[:10], due[:10],
                                             resolved[:10], withdrawn[:10], returned[:10])
                except (ValueError, IndexError):  # not the usual shape after all: the exact path decides
                    row = None
            if row is None:
                row = checked(line, values)
                if row is not None and tally is not None:
                    tally.add_row(_rollup_values(row), self.tz)
            if row is not None:
                yield row

    def _checked(self, line: int, values: list[str]) -> tuple | None:
        """The exact path: every check on parsed instants; records the row's errors and warnings."""
        parse, has_space = datetime.fromisoformat, self.has_space
        procedures, agencies, seen, tz = self.procedures, self.agencies, self.seen, self.tz
        communes, ambiguous = self.communes.units, self.communes.ambiguous
        reorganised, channels = self.reorganised, self.channels
        early, on_time, late = Timeliness.EARLY.value, Timeliness.ON_TIME.value, Timeliness.LATE.value
        code, procedure_code, agency_code, channel = (v.strip() for v in values[:4])
        status = values[9].strip()
        stamps = [v.strip() for v in (*values[4:9], *values[10:13])]
        commune_code = values[13].strip()
        problems = []
        if not code:
            problems.append("thiếu mã hồ sơ (code)")
        elif len(code) > MAX_CODE_LENGTH or has_space(code):
            problems.append(f"mã hồ sơ “{code[:60]}” không hợp lệ (tối đa {MAX_CODE_LENGTH} ký tự, không có khoảng trắng)")
        elif code in seen:
            problems.append(f"mã hồ sơ {code} trùng với dòng {seen[code]}")
        else:
            seen[code] = line
        procedure_id = procedures.get(procedure_code)
        if procedure_id is None:
            problems.append(f"không có thủ tục mã “{procedure_code}”" if procedure_code
                            else "thiếu mã thủ tục (procedure_code)")
        agency_id = agencies.get(agency_code.upper())
        if agency_id is None:
            problems.append(f"không có cơ quan mã định danh “{agency_code}”" if agency_code
                            else "thiếu mã cơ quan (agency_code)")
        if channel not in channels:
            problems.append(f"kênh “{channel}” không hợp lệ (online, direct hoặc postal)")
        commune_id = None
        if commune_code:
            commune_id = communes.get(commune_code) or communes.get(commune_code.lower())
            if commune_id is None:
                problems.append(f"không có xã, phường, đặc khu mã “{commune_code[:20]}” (mã hiện hành, "
                                "hoặc mã trước 01/07/2025 dạng cu-12345)")
        parsed = []
        for name, text in zip(_STAMP_COLUMNS, stamps, strict=True):
            if not text:
                parsed.append(None)
                continue
            try:
                value = parse(text)
            except ValueError:
                problems.append(f"{name} “{text[:40]}” không phải thời điểm ISO 8601")
                parsed.append(None)
                continue
            if value.tzinfo is None:
                problems.append(f"{name} “{text[:40]}” thiếu múi giờ (ví dụ +07:00)")
                value = None
            parsed.append(value)
        received_at, due_at, resolved_at, returned_at, withdrawn_at, asked_at, answered_at, stopped_at = parsed
        mapped = STATUS_MAP.get(status)
        if mapped is None:
            problems.append(f"trạng thái “{status}” không hợp lệ ({', '.join(STATUS_MAP)})")
        elif not problems:
            problems.extend(_consistency(status, received_at, due_at, resolved_at, returned_at,
                                         withdrawn_at, stopped_at, asked_at, answered_at))
        if problems:
            self.error(line, "; ".join(problems) + ".")
            return None
        self.valid += 1
        if commune_code in ambiguous and received_at < reorganised:
            now_name, old_name, old_successor = ambiguous[commune_code]
            self.warn(line, f"mã xã {commune_code} là mã của {now_name} (hiện hành), đồng thời là mã của "
                            f"{old_name} trước 01/07/2025 (nay thuộc {old_successor}); đã ghi là {now_name}. "
                            f"Nếu là xã cũ, ghi cu-{commune_code}.")
        if self.error_count:
            return None
        timeliness = ""
        if resolved_at is not None:  # services.classify_timeliness, inlined for speed
            if resolved_at.astimezone(tz).date() < due_at.astimezone(tz).date():
                timeliness = early
            elif resolved_at <= due_at:
                timeliness = on_time
            else:
                timeliness = late
        refused = status == "refused"
        due_before_pause = None
        if asked_at is not None:
            due_before_pause = due_at
            if answered_at is not None and due_at is not None:  # due_at was pushed by the paused office time
                paused = self.calendar.working_seconds_between(asked_at, answered_at)
                due_before_pause = self.calendar.subtract(due_at, seconds=paused)
        return (line, code, procedure_id, agency_id, channel, mapped.value, received_at,
                None if refused else received_at, due_at, resolved_at, timeliness,
                resolved_at if status == "returned" else None, returned_at, withdrawn_at,
                received_at if refused else None, stopped_at, asked_at, answered_at,
                asked_at if status == "supplement" else None, due_before_pause, commune_id)




_STAMP_COLUMNS = [*COLUMNS[4:9], *OPTIONAL_COLUMNS[:3]]
_AT = {c: i for i, c in enumerate(STAGING_COLUMNS)}


# The rollup's columns (stats_rollup._VALUES) the import sets, by their staging positions; the others keep their
# defaults (no digitised papers).
_ROLLUP_FROM_STAGING = [(c, _AT[_TARGET[c]]) for c in stats_rollup._VALUES if c in _TARGET]
_ROLLUP_DEFAULTS = {c: Dossier._meta.get_field(c).get_default() for c in stats_rollup._VALUES if c not in _TARGET}


def _rollup_values(row: tuple) -> dict:
    """The rollup's view (stats_rollup._VALUES) of the dossier a staging tuple becomes."""
    return {**_ROLLUP_DEFAULTS, **{c: row[i] for c, i in _ROLLUP_FROM_STAGING}}


# status → the closing timestamps it needs (the others must be empty)
_CLOSINGS = {
    "pending": (),
    "supplement": (),
    "resolved": ("resolved_at",),
    "returned": ("resolved_at", "returned_at"),
    "withdrawn": ("withdrawn_at",),
    "stopped": ("stopped_at",),
    "refused": (),
}
_NEEDS_DUE = {"pending", "supplement", "resolved", "returned"}
# The statuses of _Validator.rows' fast path: (needs due_at, needs resolved_at, needs returned_at, needs withdrawn_at),
# the same rules as _CLOSINGS and _NEEDS_DUE. The others (supplement, stopped) always take the exact path.
_FAST_SHAPES = {
    "pending": (True, False, False, False),
    "resolved": (True, True, False, False),
    "returned": (True, True, True, False),
    "withdrawn": (False, False, False, True),
    "refused": (False, False, False, False),
}


@functools.lru_cache(maxsize=8)
def _fixed_offset(tz) -> str | None:
    """The time zone's UTC offset as ISO text ("+07:00") when it is the same on every day from 1976 to 2100, else
    None. Asia/Ho_Chi_Minh has kept +07:00 since 1975: a local date is then the first ten characters of a
    timestamp written with that offset."""
    day, end = datetime(1976, 1, 1, 12), datetime(2100, 1, 1)
    first = tz.utcoffset(day)
    while day < end:
        if tz.utcoffset(day) != first:
            return None
        day += timedelta(days=1)
    minutes = int(first.total_seconds()) // 60
    return f"{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _consistency(status, received_at, due_at, resolved_at, returned_at, withdrawn_at, stopped_at, asked_at,
                 answered_at) -> list[str]:
    problems = []
    if received_at is None:
        return ["thiếu thời điểm tiếp nhận (received_at)"]
    if status in _NEEDS_DUE and due_at is None:
        problems.append(f"trạng thái {status} cần hạn giải quyết (due_at)")
    required = _CLOSINGS[status]
    present = {"resolved_at": resolved_at, "returned_at": returned_at, "withdrawn_at": withdrawn_at,
               "stopped_at": stopped_at}
    for name, value in present.items():
        if name in required and value is None:
            problems.append(f"trạng thái {status} cần {name}")
        elif name not in required and value is not None:
            problems.append(f"trạng thái {status} không được có {name}")
    if resolved_at is not None and resolved_at < received_at:
        problems.append("resolved_at trước received_at")
    if returned_at is not None and resolved_at is not None and returned_at < resolved_at:
        problems.append("returned_at trước resolved_at")
    if withdrawn_at is not None and withdrawn_at < received_at:
        problems.append("withdrawn_at trước received_at")
    if stopped_at is not None and stopped_at < received_at:
        problems.append("stopped_at trước received_at")
    # The one pause of form 02.
    if status == "refused" and (asked_at or answered_at):
        problems.append("hồ sơ từ chối tiếp nhận không có yêu cầu bổ sung")
    elif status == "supplement":
        if asked_at is None:
            problems.append("trạng thái supplement cần supplement_requested_at")
        if answered_at is not None:
            problems.append("trạng thái supplement (đang chờ bổ sung) không được có supplemented_at")
    elif asked_at is not None and answered_at is None and status in ("pending", "resolved", "returned"):
        problems.append(f"trạng thái {status} có supplement_requested_at cần supplemented_at "
                        "(hồ sơ còn chờ bổ sung dùng trạng thái supplement)")
    if answered_at is not None and asked_at is None:
        problems.append("supplemented_at cần supplement_requested_at")
    if asked_at is not None and asked_at < received_at:
        problems.append("supplement_requested_at trước received_at")
    if asked_at is not None and answered_at is not None and answered_at < asked_at:
        problems.append("supplemented_at trước supplement_requested_at")
    pause_end = answered_at or asked_at
    closed_at = resolved_at or withdrawn_at or stopped_at
    if pause_end is not None and closed_at is not None and closed_at < pause_end:
        problems.append("hồ sơ kết thúc trước khi hết thời gian chờ bổ sung")
    return problems


# --- loading -------------------------------------------------------------------------------------------------

def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _sqlite_timestamp(value: datetime | None) -> str | None:
    # The text Django's SQLite backend stores for an aware datetime: UTC, naive, str().
    return None if value is None else str(value.astimezone(UTC).replace(tzinfo=None))


def _create_staging(cursor) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {STAGING_TABLE}")
    if _is_postgres():
        types = {c: "timestamptz" for c in _TIMESTAMP_STAGING}
        types.update(line="integer", procedure_id="bigint", agency_id="bigint", applicant_unit_id="bigint")
        cols = ", ".join(f"{c} {types.get(c, 'text')}" for c in STAGING_COLUMNS)
        cursor.execute(f"CREATE TEMPORARY TABLE {STAGING_TABLE} ({cols}) ON COMMIT DROP")
    else:
        types = {"line": "integer", "procedure_id": "integer", "agency_id": "integer", "applicant_unit_id": "integer"}
        cols = ", ".join(f"{c} {types.get(c, 'text')}" for c in STAGING_COLUMNS)
        cursor.execute(f"CREATE TEMPORARY TABLE {STAGING_TABLE} ({cols})")


def _staging_copy() -> tuple[str, list[str]]:
    """The binary COPY of staging tuples into the staging table (PostgreSQL): statement and types."""
    types = {c: "timestamptz" for c in _TIMESTAMP_STAGING}
    types.update(line="int4", procedure_id="int8", agency_id="int8", applicant_unit_id="int8")
    return (f"COPY {STAGING_TABLE} ({', '.join(STAGING_COLUMNS)}) FROM STDIN (FORMAT BINARY)",
            [types.get(c, "text") for c in STAGING_COLUMNS])


def _fill_staging(cursor, rows: Iterator[tuple]) -> None:
    if _is_postgres():
        sql, types = _staging_copy()
        with cursor.cursor.copy(sql) as copy:
            copy.set_types(types)  # binary: no text formatting
            write = copy.write_row
            for row in rows:
                write(row)
        return
    sql = f"INSERT INTO {STAGING_TABLE} VALUES ({', '.join(['%s'] * len(STAGING_COLUMNS))})"
    stamps = [i for i, c in enumerate(STAGING_COLUMNS) if c in _TIMESTAMP_STAGING]
    batch = []
    for row in rows:
        row = list(row)
        for i in stamps:
            row[i] = _sqlite_timestamp(row[i])
        batch.append(row)
        if len(batch) >= _BATCH:
            cursor.executemany(sql, batch)
            batch = []
    if batch:
        cursor.executemany(sql, batch)


MATCHED_TABLE = "tinhso_dossier_import_matched"


def _differs(stored: str, incoming) -> str:
    """SQL: the stored dossier row `stored` differs from an incoming one in a column the import sets;
    `incoming(column)` is the SQL of the incoming value of a dossier column."""
    qn, distinct = connection.ops.quote_name, "IS DISTINCT FROM" if _is_postgres() else "IS NOT"
    return " OR ".join(f"{stored}.{qn(c)} {distinct} {incoming(c)}" for c in _TARGET if c != "code")


def _upsert(cursor, now: datetime) -> tuple[int, int, int]:
    """Move the staging rows into the dossier table; (created, updated, unchanged).

    A row identical to the stored one is not rewritten, so importing the same file again writes nothing. One join
    of the staging rows with the dossiers of their codes is kept (MATCHED_TABLE: id, imported, whether it
    differs): it counts the existing codes, refuses a dossier handled on the platform, and names the rows to
    rewrite, whose rollup contributions are taken away first (`_rollup_add_written` adds what is written). On
    PostgreSQL one UPDATE … FROM rewrites those, one INSERT … SELECT adds the new rows; SQLite upserts."""
    table = Dossier._meta.db_table
    qn = connection.ops.quote_name
    postgres = _is_postgres()
    if postgres:
        cursor.execute(f"ANALYZE {STAGING_TABLE}")  # temporary tables are never analysed by autovacuum
    cursor.execute(f"DROP TABLE IF EXISTS {MATCHED_TABLE}")
    cursor.execute(f"CREATE TEMPORARY TABLE {MATCHED_TABLE}{' ON COMMIT DROP' if postgres else ''} AS "
                   f"SELECT d.id, d.imported, ({_differs('d', lambda c: f't.{_TARGET[c]}')}) AS changed "
                   f"FROM {STAGING_TABLE} t JOIN {table} d ON d.code = t.code")
    cursor.execute(f"SELECT COUNT(*), COUNT(*) FILTER (WHERE NOT imported), COUNT(*) FILTER (WHERE changed) "
                   f"FROM {MATCHED_TABLE}" if postgres else
                   f"SELECT COUNT(*), COALESCE(SUM(NOT imported), 0), COALESCE(SUM(changed), 0) FROM {MATCHED_TABLE}")
    existing, live, changed_count = cursor.fetchone()
    if live:
        _refuse_live_codes(cursor)
    cursor.execute(f"SELECT COUNT(*) FROM {STAGING_TABLE}")
    total = cursor.fetchone()[0]
    if changed_count:
        true = "TRUE" if postgres else "1"
        stats_rollup.rollup_add_dossiers(f"id IN (SELECT id FROM {MATCHED_TABLE} WHERE changed = {true})", sign=-1)
    columns, selects, params = [], [], []
    for field in Dossier._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(qn(field.column))
        if field.column in _TARGET:
            selects.append(f"t.{_TARGET[field.column]}")
        else:
            if field.name == "imported":
                value = True
            elif field.name == "updated_at":
                value = now
            else:
                value = field.get_default()
            selects.append("%s")
            params.append(None if value is None else field.get_db_prep_save(value, connection))
    compared = [c for c in _TARGET if c != "code"]
    updates = [f"{qn(c)} = excluded.{qn(c)}" for c in [*compared, "imported", "updated_at"]]
    changed = _differs(table, lambda c: f"excluded.{qn(c)}")
    if not postgres:
        # "WHERE true" lets SQLite tell the upsert's ON CONFLICT from a join's ON.
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(selects)} FROM {STAGING_TABLE} t "
            f"WHERE true ON CONFLICT (code) DO UPDATE SET {', '.join(updates)} WHERE {changed}", params)
        written = cursor.rowcount
        cursor.execute(f"DROP TABLE IF EXISTS {MATCHED_TABLE}")
        created = total - existing
        updated = written - created
        return created, updated, existing - updated
    updated = 0
    if changed_count:
        sets = [f"{qn(c)} = t.{_TARGET[c]}" for c in compared] + [f"{qn('imported')} = true",
                                                                   f"{qn('updated_at')} = %s"]
        cursor.execute(f"UPDATE {table} d SET {', '.join(sets)} FROM {STAGING_TABLE} t, {MATCHED_TABLE} m "
                       f"WHERE m.changed AND d.id = m.id AND d.code = t.code", [now])
        updated = cursor.rowcount
    created = 0
    if total > existing:
        # Many new rows (a file whose first code exists but most do not): their foreign keys once, as for a COPY.
        suspended = _suspend_foreign_keys(cursor) if _suspension_pays(cursor, lines=total - existing) else None
        # ON CONFLICT: a dossier of the same code committed meanwhile by another import is upserted as before.
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(selects)} FROM {STAGING_TABLE} t "
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} d WHERE d.code = t.code) "
            f"ON CONFLICT (code) DO UPDATE SET {', '.join(updates)} WHERE {changed}", params)
        created = cursor.rowcount
        _restore_foreign_keys(cursor, suspended)
    return created, updated, existing - updated


def _rollup_add_written(cursor, now: datetime, *, written: int) -> None:
    """Add the contributions of every row this import wrote (created or rewritten: imported, stamped `now`). When
    they outnumber the rows the table had (the planner's estimate: no scan; a first import whose first code
    existed) the rebuild from every dossier is exact too and costs less: it computes each contribution once, where
    the increment computes them for the day and again for the month rows."""
    if written >= _estimated_rows(cursor):
        stats_rollup.rollup_rebuild()
        return
    stamp = Dossier._meta.get_field("updated_at").get_db_prep_save(now, connection)
    imported = "TRUE" if _is_postgres() else "1"
    stats_rollup.rollup_add_dossiers(f"imported = {imported} AND updated_at = %s", [stamp])


def _refuse_live_codes(cursor) -> None:
    """Imported history never overwrites a dossier handled on this platform."""
    table = Dossier._meta.db_table
    cursor.execute(f"SELECT t.line, t.code FROM {STAGING_TABLE} t JOIN {table} d ON d.code = t.code "
                   f"WHERE NOT d.imported ORDER BY t.line LIMIT {MAX_REPORTED_ERRORS}")
    clashes = cursor.fetchall()
    if clashes:
        raise ImportFailed("Tệp có mã hồ sơ trùng hồ sơ đang xử lý trên hệ thống, chưa nạp dòng nào.",
                           line_errors=[(line, f"mã hồ sơ {code} đã có trên hệ thống (không phải dữ liệu nhập), "
                                               "không ghi đè.") for line, code in clashes])


_COPY_TYPES = {"CharField": "text", "EmailField": "text", "ForeignKey": "int8", "DateTimeField": "timestamptz",
               "BooleanField": "bool", "JSONField": "text"}
_COPY_BLOCK = 1 << 20
LARGE_IMPORT_LINES = 50_000  # from here on, foreign keys are checked once at the end (see _suspend_foreign_keys)
# From here on, also when the file is more than a fifth of the table: the per-row checks (about 35 µs a row for the
# six foreign keys, at commit) then cost more than re-checking the whole table once (a few µs a row per key).
MEDIUM_IMPORT_LINES = 10_000


def _estimated_rows(cursor) -> float:
    """The dossier table's row count as the planner estimates it (no scan): for the import's cost decisions."""
    if not _is_postgres():
        cursor.execute(f"SELECT COUNT(*) FROM {Dossier._meta.db_table}")
        return cursor.fetchone()[0]
    cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [Dossier._meta.db_table])
    return max(cursor.fetchone()[0], 0)  # -1: never analysed


def _suspension_pays(cursor, *, lines: int) -> bool:
    if lines > LARGE_IMPORT_LINES:
        return True
    if lines < MEDIUM_IMPORT_LINES:
        return False
    return lines * 5 > _estimated_rows(cursor)


def _direct_copy_plan(now: datetime):
    """Dossier columns, their binary COPY types, and for each either a staging-tuple index or a constant."""
    position = {c: i for i, c in enumerate(STAGING_COLUMNS)}
    columns, types, sources = [], [], []
    for field in Dossier._meta.concrete_fields:
        if field.primary_key:
            continue
        left_to_database = field.column not in _TARGET and field.name not in ("imported", "updated_at") and (
            field.has_db_default() or (field.null and field.get_default() is None))
        if left_to_database:  # NULL or the column's database default: fewer values to send per row
            continue
        columns.append(field.column)
        types.append(_COPY_TYPES[field.get_internal_type()])
        if field.column in _TARGET:
            sources.append((position[_TARGET[field.column]], None))
        elif field.name == "imported":
            sources.append((None, True))
        elif field.name == "updated_at":
            sources.append((None, now))
        elif field.get_internal_type() == "JSONField":
            # Encoded once, not per row: jsonb's binary form (version 1, then the text), sent by psycopg's C text
            # dumper (its jsonb and bytea dumpers are Python code run per row).
            sources.append((None, "\x01" + json.dumps(field.get_default())))
        else:
            sources.append((None, field.get_default()))
    return columns, types, sources


def _direct_copy(now: datetime):
    """(COPY statement, binary types, shape): the COPY of validated rows straight into the dossier table, and the
    function turning a staging tuple into its row. The columns taken from the staging tuple come first, then the
    constants: one C-level pick and one tuple concatenation per row instead of a Python loop over the columns."""
    columns, types, sources = _direct_copy_plan(now)
    order = sorted(range(len(columns)), key=lambda k: sources[k][0] is None)
    pick = operator.itemgetter(*(sources[k][0] for k in order if sources[k][0] is not None))
    constants = tuple(sources[k][1] for k in order if sources[k][0] is None)
    sql = f"COPY {Dossier._meta.db_table} ({', '.join(columns[k] for k in order)}) FROM STDIN (FORMAT BINARY)"
    return sql, [types[k] for k in order], lambda row: pick(row) + constants


def _binary_blocks(rows: Iterator[tuple], shape, transformer, prefix: bytes = b"") -> Iterator[bytearray]:
    """The rows' binary COPY tuples (`shape(row)` each) in blocks of about _COPY_BLOCK bytes, each after `prefix`."""
    block = bytearray(prefix)
    for row in rows:
        format_row_binary(shape(row), transformer, block)
        if len(block) > _COPY_BLOCK:
            yield block
            block = bytearray(prefix)
    if len(block) > len(prefix):
        yield block


def _copy_new_rows(cursor, rows: Iterator[tuple], now: datetime) -> None:
    """One COPY streaming every validated row straight into the dossier table: Python validates the next rows
    while PostgreSQL inserts the previous ones on the other core. Fails on the first code that already exists."""
    sql, types, shape = _direct_copy(now)
    with cursor.cursor.copy(sql) as copy:
        copy.set_types(types)
        if format_row_binary is None:  # pragma: no cover - another psycopg layout: the public, slower way
            for row in rows:
                copy.write_row(shape(row))
            return
        copy.write(_binary_signature)
        for block in _binary_blocks(rows, shape, copy.formatter.transformer):
            copy.write(block)
        copy.write(_binary_trailer)


# --- parallel validation (PostgreSQL, a CSV file of PARALLEL_IMPORT_LINES lines or more) ---------------------

PARALLEL_IMPORT_LINES = 100_000
IMPORT_LOCK = 0x7469_6E68_7369_6D70 & 0x7FFF_FFFF_FFFF_FFFF  # the history import's advisory lock ("tinhsimp")


class _ParallelFailed(Exception):
    """A worker failed, or the file has errors: the import is done again on one core (exact line-ordered report)."""


@dataclass
class _CsvSplit:
    """A CSV file cut into byte ranges at line ends outside quoted fields: (start, end, lines before start)."""
    path: Path
    layout: _CsvLayout
    ranges: list[tuple[int, int, int]]


def _import_workers() -> int:
    """Worker processes for validation: TINHSO_IMPORT_WORKERS (1: on one core, as before), else one per core."""
    configured = os.environ.get("TINHSO_IMPORT_WORKERS", "").strip()
    return max(1, int(configured)) if configured.isdigit() else min(os.cpu_count() or 1, 4)


def _scan_csv(path: Path, workers: int) -> tuple[int, _CsvSplit | None]:
    """(the file's newlines, its split into up to `workers` ranges, or None when it is read on one core). One
    binary pass counting newlines and quotes: a range starts after a newline preceded by an even number of quotes
    (one inside a quoted field is preceded by an odd number)."""
    size = path.stat().st_size
    lines = quotes = offset = 0
    targets, header_end = [0], None  # the first cut ends the header line
    cuts: list[tuple[int, int]] = []  # (a range's first byte, the newlines before it)
    with path.open("rb") as raw:
        while block := raw.read(_COPY_BLOCK):
            position = 0
            while targets and targets[0] < offset + len(block):
                newline = block.find(b"\n", max(position, targets[0] - offset))
                if newline < 0:
                    break  # the cut is in a later block
                quotes += block.count(b'"', position, newline)
                lines += block.count(b"\n", position, newline) + 1
                position = newline + 1
                if quotes % 2:
                    continue  # a newline inside a quoted field: the next one
                if header_end is None:
                    header_end = offset + position
                    step = (size - header_end) / workers
                    targets = [int(header_end + k * step) for k in range(1, workers)]
                    cuts.append((header_end, lines))
                else:
                    targets.pop(0)
                    if offset + position > cuts[-1][0]:
                        cuts.append((offset + position, lines))
            quotes += block.count(b'"', position)
            lines += block.count(b"\n", position)
            offset += len(block)
    if header_end is None or len(cuts) < 2 or lines < PARALLEL_IMPORT_LINES or header_end >= size:
        return lines, None
    with path.open("rb") as raw:
        header = next(csv.reader(io.StringIO(raw.read(header_end).decode("utf-8-sig"), newline="")), [])
    bounds = [cut for cut, _ in cuts] + [size]
    ranges = [(bounds[k], bounds[k + 1], cuts[k][1]) for k in range(len(cuts)) if bounds[k] < bounds[k + 1]]
    return lines, _CsvSplit(path=path, layout=_csv_layout(header), ranges=ranges)


class _RangeReader(io.RawIOBase):
    """Bytes [start, end) of a file as a raw stream: under a TextIOWrapper, csv.reader reads its lines in C."""

    def __init__(self, path: Path, start: int, end: int):
        super().__init__()
        self._file = path.open("rb", buffering=0)
        self._file.seek(start)
        self._left = end - start

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._left <= 0:
            return 0
        view = memoryview(buffer)[:self._left]
        n = self._file.readinto(view)
        self._left -= n
        return n

    def close(self) -> None:
        self._file.close()
        super().close()


def _range_lines(path: Path, start: int, end: int):
    """The text of bytes [start, end) of the file, line by line (a UTF-8 character never holds a newline byte)."""
    return io.TextIOWrapper(io.BufferedReader(_RangeReader(path, start, end), buffer_size=_COPY_BLOCK),
                            encoding="utf-8", newline="")


_INHERITED: list = []
_ROWS, _DONE, _FAILED = b"R", b"D", b"F"


def _forget_inherited_connections() -> None:
    """In a forked worker: Django's connections drop the parent's database sessions (kept referenced, never closed:
    closing one would end the parent's session on the shared socket), so that a query by mistake opens its own."""
    from django.db import connections

    for alias in connections:
        handle = connections[alias]
        if handle.connection is not None:
            _INHERITED.append(handle.connection)
            handle.connection = None


def _validate_range(split: _CsvSplit, start: int, end: int, lines_before: int, validator: "_Validator",
                    transformer, shape, send) -> None:
    """In a forked worker: validate one range and send its rows' binary COPY tuples in blocks, then the
    validator's counts. Never touches the database (the parent's connection is not this process's to use)."""
    _forget_inherited_connections()
    # Messages: a tag byte, then COPY tuples (_ROWS), the pickled counts (_DONE) or what failed (_FAILED).
    try:
        records = _csv_values(csv.reader(_range_lines(split.path, start, end)), split.layout, lines_before)
        for block in _binary_blocks(validator.rows(records), shape, transformer, _ROWS):
            send.send_bytes(block)
        send.send_bytes(_DONE + pickle.dumps({
            "valid": validator.valid, "error_count": validator.error_count, "warnings": validator.warnings,
            "warning_count": validator.warning_count,
            "tally": validator.tally.cells if validator.tally is not None else None}))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which imports on one core instead
        send.send_bytes(_FAILED + repr(exc).encode())
    finally:
        send.close()


def _copy_parallel(cursor, split: _CsvSplit, sql: str, types: list[str], shape, *, tally: bool) -> "_Validator":
    """One COPY fed by one forked worker per range of the file, each validating and encoding its rows (COPY takes
    rows in any order, so blocks are written as they come: memory stays flat). Returns a validator holding the
    merged counts; raises _ParallelFailed when a worker fails or the file has an error."""
    validator = _Validator(tally=tally)  # built here, inherited by the workers: they need no database
    context = multiprocessing.get_context("fork")
    workers = []
    with cursor.cursor.copy(sql) as copy:
        copy.set_types(types)
        try:
            for start, end, lines_before in split.ranges:
                receive, send = context.Pipe(duplex=False)
                process = context.Process(target=_validate_range, daemon=True,
                                          args=(split, start, end, lines_before, validator,
                                                copy.formatter.transformer, shape, send))
                process.start()
                send.close()
                workers.append((process, receive))
            copy.write(_binary_signature)
            pending, summaries = {receive: process for process, receive in workers}, []
            while pending:
                for receive in mp_connection.wait(list(pending)):
                    try:
                        message = receive.recv_bytes()
                    except EOFError:
                        raise _ParallelFailed("a validation worker ended without its counts") from None
                    tag = message[:1]
                    if tag == _ROWS:
                        copy.write(memoryview(message)[1:])
                    elif tag == _DONE:
                        summaries.append(pickle.loads(message[1:]))  # noqa: S301 - our own forked worker's
                        del pending[receive]
                    else:
                        raise _ParallelFailed(message[1:].decode(errors="replace"))
            if any(summary["error_count"] for summary in summaries):
                raise _ParallelFailed("the file has errors")
            copy.write(_binary_trailer)
        finally:
            for process, receive in workers:
                if process.is_alive():
                    process.terminate()
                process.join()
                receive.close()
    for summary in summaries:
        validator.valid += summary["valid"]
        validator.warning_count += summary["warning_count"]
        validator.warnings.extend(summary["warnings"])
        if summary["tally"] is not None:
            validator.tally.merge(summary["tally"])
    validator.warnings = sorted(validator.warnings)[:MAX_REPORTED_ERRORS]
    return validator


def _fill_staging_parallel(cursor, split: _CsvSplit) -> "_Validator":
    """The staging table filled by the workers of `_copy_parallel`; a code twice in the file (two workers each saw
    it once) raises _ParallelFailed, for the one-core validation to report it by line."""
    sql, types = _staging_copy()
    validator = _copy_parallel(cursor, split, sql, types, lambda row: row, tally=False)
    cursor.execute(f"SELECT 1 FROM {STAGING_TABLE} GROUP BY code HAVING COUNT(*) > 1 LIMIT 1")
    if cursor.fetchone() is not None:
        raise _ParallelFailed("a code twice in the file")
    return validator


def _load_postgres(cursor, read, now: datetime, *, lines: int, split: _CsvSplit | None = None):
    """(validator, rows created) when every row went straight into the dossier table, else (validator, None) with
    the rows in the staging table for `_upsert`.

    `read()` (re)starts reading the file and returns (validator, rows). A first import — the usual migration — is
    one streaming COPY (foreign keys suspended when that pays); when a code already exists that COPY fails, its
    savepoint is undone (the foreign keys with it) and the file is read again into the staging table. With a
    `split` (a large CSV file), forked workers validate its ranges for either COPY (`_copy_parallel`); a worker's
    failure or any error in the file undoes that and everything is done again on one core, which writes the
    line-ordered report (and finds a code that two ranges both hold)."""
    validator, rows = read(tally=True)
    first = next(rows, None)
    if first is None:
        return validator, 0
    rows = itertools.chain([first], rows)
    cursor.execute(f"SELECT 1 FROM {Dossier._meta.db_table} WHERE code = %s",
                   [first[STAGING_COLUMNS.index("code")]])
    if cursor.fetchone() is None:  # looks like a first import: stream it
        try:
            with transaction.atomic():
                suspended = _suspend_foreign_keys(cursor) if _suspension_pays(cursor, lines=lines) else None
                indexes = _suspend_indexes(cursor) if _index_suspension_pays(cursor, lines=lines) else None
                if split is not None:
                    sql, types, shape = _direct_copy(now)
                    validator = _copy_parallel(cursor, split, sql, types, shape, tally=True)
                else:
                    _copy_new_rows(cursor, rows, now)
                created = validator.valid  # every valid row was copied (an error refuses the import)
                if not validator.error_count:  # otherwise the import is refused and everything rolled back
                    _restore_indexes(cursor, indexes)  # a code that exists already fails here, as in the COPY
        except _ParallelFailed:
            return _load_postgres(cursor, read, now, lines=lines)
        except (IntegrityError, psycopg_errors.UniqueViolation) as exc:
            if isinstance(exc, IntegrityError) and not isinstance(exc.__cause__, psycopg_errors.UniqueViolation):
                raise
            validator, rows = read()
        else:
            if not validator.error_count:
                _restore_foreign_keys(cursor, suspended)
            return validator, created
    _create_staging(cursor)
    if split is not None:
        try:
            with transaction.atomic():
                return _fill_staging_parallel(cursor, split), None
        except _ParallelFailed:
            validator, rows = read()
            _create_staging(cursor)
    _fill_staging(cursor, rows)
    return validator, None


def _index_suspension_pays(cursor, *, lines: int) -> bool:
    """Whether to build the dossier table's secondary indexes once after the COPY rather than row by row: measured
    by the database server's CPU time, a row costs about 12 µs with them and 3 µs without (the unique code index
    and the agency/received index the most), and building them again about 3 µs a row of the whole table."""
    if lines < MEDIUM_IMPORT_LINES:
        return False
    return lines * 2 > _estimated_rows(cursor)


def _suspend_indexes(cursor) -> list[tuple[str, str, bool]]:
    """Drop the dossier table's full indexes but its primary key (and any a foreign key of another table relies on),
    inside the import's savepoint; returns what `_restore_indexes` builds again: (name, definition, is a
    constraint). Partial indexes stay: closed history is outside their predicates (they cost an imported row next
    to nothing), and a rebuilt predicate would not read back the same as the migration's."""
    cursor.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid), con.conname IS NOT NULL, pg_get_constraintdef(con.oid) "
        "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid "
        "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND i.indpred IS NULL AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = i.indexrelid) ORDER BY c.relname",
        [Dossier._meta.db_table])
    suspended = []
    for name, index_definition, is_constraint, constraint_definition in cursor.fetchall():
        if is_constraint:
            cursor.execute(f'ALTER TABLE {Dossier._meta.db_table} DROP CONSTRAINT "{name}"')
            suspended.append((name, constraint_definition, True))
        else:
            cursor.execute(f'DROP INDEX "{name}"')
            suspended.append((name, index_definition, False))
    return suspended


def _restore_indexes(cursor, indexes: list[tuple[str, str, bool]] | None) -> None:
    for name, definition, is_constraint in indexes or ():
        if is_constraint:
            cursor.execute(f'ALTER TABLE {Dossier._meta.db_table} ADD CONSTRAINT "{name}" {definition}')
        else:
            cursor.execute(definition)


def _suspend_foreign_keys(cursor) -> list[tuple[str, str]]:
    """Drop the dossier table's foreign keys for a large import, inside the import's transaction; returns what
    `_restore_foreign_keys` re-creates. Per-row foreign-key triggers cost more than everything else of a bulk
    load; re-adding a constraint checks every row in one join instead. The import holds the dossier table's lock
    until it commits (run large migrations off-hours); a failed import rolls the constraints back with it."""
    # Earlier statements of this transaction may have deferred checks queued on these tables: run them now, as
    # PostgreSQL refuses to alter a table with pending trigger events.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                   "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname", [Dossier._meta.db_table])
    constraints = cursor.fetchall()
    for name, _ in constraints:
        cursor.execute(f'ALTER TABLE {Dossier._meta.db_table} DROP CONSTRAINT "{name}"')
    return constraints


def _restore_foreign_keys(cursor, constraints: list[tuple[str, str]] | None) -> None:
    if constraints is None:
        return
    for name, definition in constraints:
        cursor.execute(f'ALTER TABLE {Dossier._meta.db_table} ADD CONSTRAINT "{name}" {definition}')
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # back to Django's default for the rest of the transaction


@transaction.atomic
def dossiers_import(*, actor, stream, name: str, sha256: str, path: Path | None = None) -> ImportResult:
    """Import an already opened text stream (CSV or JSON Lines by `name`'s suffix); all rows or none. `path`: the
    file the stream reads, when there is one (a large CSV file is then validated by several processes)."""
    started = _time.perf_counter()
    fmt = _file_format(name)
    now = timezone.now()

    def read(*, tally: bool = False):
        stream.seek(0)
        validator = _Validator(tally=tally)
        return validator, validator.rows(_csv_records(stream) if fmt == "csv" else _jsonl_records(stream))

    with connection.cursor() as cursor:
        if _is_postgres():
            # One history import at a time, until this one commits: two imports of the same new code would
            # otherwise both count it in the rollup (the second's upsert would rewrite it unseen).
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])
            split, workers = None, _import_workers()
            # Forked workers only from a single-threaded process (the command line), where a fork is safe.
            if (path is not None and fmt == "csv" and workers > 1 and format_row_binary is not None
                    and threading.active_count() == 1):
                lines, split = _scan_csv(path, workers)
            else:
                stream.seek(0)
                lines = sum(chunk.count("\n") for chunk in iter(lambda: stream.read(1 << 20), ""))
            validator, created = _load_postgres(cursor, read, now, lines=lines, split=split)
        else:
            validator, rows = read()
            _create_staging(cursor)
            _fill_staging(cursor, rows)
            created = None
        if validator.error_count:
            more = f" (hiển thị {len(validator.errors)} lỗi đầu)" if validator.error_count > len(validator.errors) else ""
            raise ImportFailed(f"Tệp có {validator.error_count} dòng lỗi{more}, chưa nạp dòng nào.",
                               line_errors=validator.errors)
        if not validator.valid:
            raise ImportFailed("Tệp không có dòng hồ sơ nào.", line_errors=[(1, "Không có dữ liệu.")])
        updated = unchanged = 0
        # Raw SQL sends no signals: the rollup follows in this transaction.
        if created is None:  # the rows are in the staging table (SQLite, or codes that exist already)
            created, updated, unchanged = _upsert(cursor, now)
            cursor.execute(f"DROP TABLE IF EXISTS {STAGING_TABLE}")
            if created or updated:
                _rollup_add_written(cursor, now, written=created + updated)
        elif created:  # every row went into the table as validated: add what the validator counted
            stats_rollup.rollup_add_tally(validator.tally)
    result = ImportResult(rows=validator.valid, created=created, updated=updated, unchanged=unchanged,
                          sha256=sha256, seconds=round(_time.perf_counter() - started, 3),
                          warnings=validator.warnings, warning_count=validator.warning_count)
    audit_record(actor=actor, action="dossiers.dossier.import", object_type="dossiers.dossier",
                 object_label=Path(name).name,
                 summary=f"Nhập {vn_number(result.rows)} hồ sơ từ hệ thống cũ ({vn_number(created)} mới, "
                         f"{vn_number(updated)} cập nhật, {vn_number(unchanged)} không đổi) từ tệp {Path(name).name}",
                 changes={"file": Path(name).name, "sha256": sha256, "rows": result.rows, "created": created,
                          "updated": updated, "unchanged": unchanged, "warnings": validator.warning_count})
    if created or updated:
        history_imported.send(sender=Dossier, rows=result.rows, created=created, updated=updated)
    return result


def dossiers_import_file(*, actor, path: str | Path) -> ImportResult:
    path = Path(path)
    _file_format(path.name)
    if not path.is_file():
        raise ValidationError.for_field("file", f"Không tìm thấy tệp “{path}”.")
    digest = hashlib.sha256()
    with path.open("rb") as raw:
        for chunk in iter(lambda: raw.read(1 << 20), b""):
            digest.update(chunk)
    with path.open(encoding="utf-8-sig", newline="") as stream:
        try:
            return dossiers_import(actor=actor, stream=stream, name=path.name, sha256=digest.hexdigest(), path=path)
        except UnicodeDecodeError as exc:
            raise ImportFailed("Tệp không phải văn bản UTF-8.", line_errors=[(1, str(exc))]) from exc


def dossiers_import_content(*, actor, content: bytes, name: str) -> ImportResult:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFailed("Tệp không phải văn bản UTF-8.", line_errors=[(1, str(exc))]) from exc
    return dossiers_import(actor=actor, stream=io.StringIO(text, newline=""), name=name,
                           sha256=hashlib.sha256(content).hexdigest())

