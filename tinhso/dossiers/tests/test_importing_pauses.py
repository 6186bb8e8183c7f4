"""History import of paused (form 02) and stopped (form 05) dossiers: statuses, optional columns, checks."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tinhso.core import calendar
from tinhso.core.exceptions import ImportFailed
from tinhso.dossiers.choices import Status
from tinhso.dossiers.importing import COLUMNS, dossiers_import_content
from tinhso.dossiers.models import Dossier

from .test_importing import AGENCY, GOOD_ROWS, csv_bytes
from .test_statistics import make_procedure

VN = ZoneInfo("Asia/Ho_Chi_Minh")
pytestmark = pytest.mark.smoke
FULL_HEADER = ",".join([*COLUMNS, "supplement_requested_at", "supplemented_at", "stopped_at"])


@pytest.fixture
def catalogue(world):
    make_procedure(agencies=[world.justice])
    return world


def full_csv(rows: list[str]) -> bytes:
    return ("\n".join([FULL_HEADER, *rows]) + "\n").encode()


def t(d, h=9, m=0) -> str:
    return datetime(2026, 3, d, h, m, tzinfo=VN).isoformat()


def test_supplement_and_stopped_statuses_with_the_pause_columns(catalogue):
    rows = [
        # waiting for the applicant since 4/3; due_at is the due time before the pause
        f"S-1,1.001193,{AGENCY},online,{t(2)},{t(9, 17)},,,,supplement,{t(4)},,",
        # paused 3/3 09:00 → answered 5/3 09:00 (two office days), due pushed from 9/3 17:00 to 11/3 17:00
        f"S-2,1.001193,{AGENCY},direct,{t(2)},{t(11, 17)},{t(10)},,,resolved,{t(3)},{t(5)},",
        f"S-3,1.001193,{AGENCY},direct,{t(2)},{t(9, 17)},,,,stopped,,,{t(6)}",
        # stopped while waiting for the supplement
        f"S-4,1.001193,{AGENCY},postal,{t(2)},{t(9, 17)},,,,stopped,{t(3)},,{t(20)}",
    ]
    result = dossiers_import_content(actor=None, content=full_csv(rows), name="lich-su.csv")
    assert result.created == 4
    d = {x.code: x for x in Dossier.objects.all()}
    assert d["S-1"].status == Status.SUPPLEMENT_REQUESTED
    assert d["S-1"].paused_at == d["S-1"].supplement_requested_at == datetime.fromisoformat(t(4))
    assert d["S-1"].due_before_pause_at == d["S-1"].due_at
    assert d["S-2"].supplemented_at == datetime.fromisoformat(t(5)) and d["S-2"].paused_at is None
    assert d["S-2"].due_before_pause_at == datetime.fromisoformat(t(9, 17))
    paused = calendar.working_seconds_between(d["S-2"].supplement_requested_at, d["S-2"].supplemented_at)
    assert calendar.add_working_time(d["S-2"].due_before_pause_at, seconds=paused) == d["S-2"].due_at
    assert d["S-3"].status == Status.STOPPED and d["S-3"].stopped_at == datetime.fromisoformat(t(6))
    assert d["S-4"].status == Status.STOPPED and d["S-4"].supplement_requested_at is not None
    # Importing the same file again changes nothing.
    again = dossiers_import_content(actor=None, content=full_csv(rows), name="lich-su.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)


def test_files_without_the_optional_columns_still_import(catalogue):
    result = dossiers_import_content(actor=None, content=csv_bytes(GOOD_ROWS), name="lich-su.csv")
    assert result.created == len(GOOD_ROWS)
    assert not Dossier.objects.filter(supplement_requested_at__isnull=False).exists()


def test_optional_columns_in_any_order_and_in_json_lines(catalogue):
    header = "status,stopped_at,code,procedure_code,agency_code,channel,received_at,due_at,resolved_at," \
             "returned_at,withdrawn_at"
    content = f"{header}\nstopped,{t(6)},S-9,1.001193,{AGENCY},direct,{t(2)},,,,\n".encode()
    dossiers_import_content(actor=None, content=content, name="lich-su.csv")
    line = {"code": "S-10", "procedure_code": "1.001193", "agency_code": AGENCY, "channel": "online",
            "received_at": t(2), "due_at": t(9, 17), "status": "supplement", "supplement_requested_at": t(3)}
    dossiers_import_content(actor=None, content=(json.dumps(line) + "\n").encode(), name="lich-su.jsonl")
    assert Dossier.objects.get(code="S-9").status == Status.STOPPED
    assert Dossier.objects.get(code="S-10").status == Status.SUPPLEMENT_REQUESTED


BAD = {
    "supplement without the request time": (f"X-1,1.001193,{AGENCY},online,{t(2)},{t(9)},,,,supplement,,,",
                                            "trạng thái supplement cần supplement_requested_at"),
    "supplement already answered": (f"X-1,1.001193,{AGENCY},online,{t(2)},{t(9)},,,,supplement,{t(3)},{t(4)},",
                                    "không được có supplemented_at"),
    "resolved while still paused": (f"X-1,1.001193,{AGENCY},online,{t(2)},{t(9)},{t(8)},,,resolved,{t(3)},,",
                                    "cần supplemented_at"),
    "answered before asked": (f"X-1,1.001193,{AGENCY},online,{t(2)},{t(9)},,,,pending,{t(5)},{t(4)},",
                              "supplemented_at trước supplement_requested_at"),
    "answered without a request": (f"X-1,1.001193,{AGENCY},online,{t(2)},{t(9)},,,,pending,,{t(4)},",
                                   "supplemented_at cần supplement_requested_at"),
    "stopped without stopped_at": (f"X-1,1.001193,{AGENCY},online,{t(2)},{t(9)},,,,stopped,,,",
                                   "trạng thái stopped cần stopped_at"),
    "pending with stopped_at": (f"X-1,1.001193,{AGENCY},online,{t(2)},{t(9)},,,,pending,,,{t(4)}",
                                "trạng thái pending không được có stopped_at"),
    "stopped before received": (f"X-1,1.001193,{AGENCY},online,{t(2)},{t(9)},,,,stopped,,,{t(1)}",
                                "stopped_at trước received_at"),
    "resolved during the pause": (f"X-1,1.001193,{AGENCY},online,{t(2)},{t(9)},{t(4)},,,resolved,{t(3)},{t(5)},",
                                  "kết thúc trước khi hết thời gian chờ bổ sung"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_each_inconsistent_pause_or_stop_is_explained_by_line(catalogue, case):
    row, message = BAD[case]
    good = f"G-1,1.001193,{AGENCY},online,{t(2)},{t(9)},,,,pending,,,"
    with pytest.raises(ImportFailed) as exc:
        dossiers_import_content(actor=None, content=full_csv([good, row]), name="lich-su.csv")
    [(line, text)] = exc.value.line_errors
    assert line == 3 and message in text
    assert not Dossier.objects.exists()
