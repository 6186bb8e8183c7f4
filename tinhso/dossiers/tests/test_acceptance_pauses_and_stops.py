"""Acceptance (issue 8.3): a held-out history with paused and stopped dossiers, imported with `tinhso import
dossiers` and read back as a new user would (the API, the page, the CSV), gives exactly the hand-computed table.

The history (agency 000.00.03.H56, first quarter of 2026; reference instant = end of the quarter):

| code | what happened                                                          | counts as (Q1)               |
|------|------------------------------------------------------------------------|------------------------------|
| C1   | received 15/12, due 10/1, resolved 8/1                                 | carried over; resolved early |
| C2   | received 20/12, due 15/1, asked for a supplement 5/1, still waiting    | carried over; pending within |
| C3   | online 22/12, due 5/1, still pending                                   | carried over; pending overdue|
| N1   | online 12/1, due 15/1 17:00, resolved 15/1 16:00, returned 16/1        | online; on time; returned    |
| N2   | direct 2/2, paused 3/2→10/2, due after pause 12/2, resolved 13/2       | direct; late                 |
| N3   | postal 5/2, stopped 20/2 (form 05)                                     | direct/postal; stopped       |
| N4   | online 2/3, paused 3/3, stopped 25/3 while waiting                     | online; stopped              |
| N5   | direct 10/3, withdrawn 12/3                                            | direct; withdrawn            |
| N6   | online 16/3, due 19/3, asked for a supplement 20/3 (after its due time)| online; pending overdue      |
| N7   | direct 25/3, due 3/4                                                   | direct; pending within       |
| N8   | online 16/3, paused 20/3→6/4, due after pause 15/4 (before: 31/3)      | online; pending within       |
| R1   | refused at reception 20/1                                              | —                            |
| A1   | received 2/4                                                           | —                            |
| O1   | received 1/11/2025, resolved 20/11/2025                                | —                            |

Received 11 = 3 carried over + 4 online + 4 in person/post = 3 resolved + 5 pending + 1 withdrawn + 2 stopped.
"""

import csv
import io

import pytest

from tinhso.cli import main as tinhso_main
from tinhso.dossiers.models import Dossier

from .test_statistics import make_procedure

pytestmark = pytest.mark.smoke

HEADER = ("code,procedure_code,agency_code,channel,received_at,due_at,resolved_at,returned_at,withdrawn_at,status,"
          "supplement_requested_at,supplemented_at,stopped_at")
A = "1.001193,000.00.03.H56"
HISTORY = f"""{HEADER}
C1,{A},direct,2025-12-15T09:00+07:00,2026-01-10T17:00+07:00,2026-01-08T10:00+07:00,,,resolved,,,
C2,{A},direct,2025-12-20T09:00+07:00,2026-01-15T17:00+07:00,,,,supplement,2026-01-05T09:00+07:00,,
C3,{A},online,2025-12-22T09:00+07:00,2026-01-05T17:00+07:00,,,,pending,,,
N1,{A},online,2026-01-12T09:00+07:00,2026-01-15T17:00+07:00,2026-01-15T16:00+07:00,2026-01-16T09:00+07:00,,returned,,,
N2,{A},direct,2026-02-02T09:00+07:00,2026-02-12T17:00+07:00,2026-02-13T10:00+07:00,,,resolved,2026-02-03T09:00+07:00,2026-02-10T09:00+07:00,
N3,{A},postal,2026-02-05T09:00+07:00,2026-02-20T17:00+07:00,,,,stopped,,,2026-02-20T10:00+07:00
N4,{A},online,2026-03-02T09:00+07:00,2026-03-09T17:00+07:00,,,,stopped,2026-03-03T09:00+07:00,,2026-03-25T10:00+07:00
N5,{A},direct,2026-03-10T09:00+07:00,,,,2026-03-12T09:00+07:00,withdrawn,,,
N6,{A},online,2026-03-16T09:00+07:00,2026-03-19T17:00+07:00,,,,supplement,2026-03-20T09:00+07:00,,
N7,{A},direct,2026-03-25T09:00+07:00,2026-04-03T17:00+07:00,,,,pending,,,
N8,{A},online,2026-03-16T09:00+07:00,2026-04-15T17:00+07:00,,,,pending,2026-03-20T09:00+07:00,2026-04-06T09:00+07:00,
R1,{A},online,2026-01-20T09:00+07:00,,,,,refused,,,
A1,{A},direct,2026-04-02T09:00+07:00,2026-04-07T17:00+07:00,,,,pending,,,
O1,{A},direct,2025-11-01T09:00+07:00,2025-11-05T17:00+07:00,2025-11-20T09:00+07:00,,,resolved,,,
"""

EXPECTED = {
    "received_total": 11, "carried_over": 3, "new_online": 4, "new_direct_postal": 4,
    "resolved_total": 3, "resolved_early": 1, "resolved_on_time": 1, "resolved_late": 1,
    "pending_total": 5, "pending_within": 3, "pending_overdue": 2,
    "withdrawn": 1, "stopped": 2, "returned": 1,
    "online_rate": 50.0, "on_time_rate": 66.67,
}


def test_held_out_history_with_pauses_and_stops_is_reported_exactly(world, client, tmp_path, capsys):
    make_procedure(agencies=[world.justice])
    path = tmp_path / "lich-su-q1-2026.csv"
    path.write_text(HISTORY, encoding="utf-8")
    tinhso_main(["import", "dossiers", str(path)])
    assert "Đã nhập 14 hồ sơ (14 mới" in capsys.readouterr().out
    assert Dossier.objects.count() == 14

    client.force_login(world.users["agency_leader"])
    body = client.get("/api/v1/statistics/dossiers", {"period": "2026-Q1", "agency": "000.00.03.H56"}).json()
    assert {k: body[k] for k in EXPECTED} == EXPECTED
    assert body["received_total"] == body["resolved_total"] + body["pending_total"] + body["withdrawn"] + \
        body["stopped"]
    [row] = body["rows"]
    assert {k: row[k] for k in EXPECTED} == EXPECTED

    page = client.get("/thong-ke/", {"period": "2026-Q1", "agency": "000.00.03.H56"}).content.decode()
    # The total row of the page, in the form's column order (Vietnamese number format).
    cells = ["11", "3", "4", "4", "3", "1", "1", "1", "5", "3", "2", "1", "2", "1", "50,00", "66,67"]
    total_row = page[page.index('<tr class="total">'):]
    total_row = total_row[:total_row.index("</tr>")]
    assert [c.split(">")[1] for c in total_row.split('<td class="num"')[1:]] == [f"{c}</td" for c in cells]

    exported = client.get("/thong-ke/bieu-II.06a.csv", {"period": "2026-Q1", "agency": "000.00.03.H56"})
    lines = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert lines[-1][3:] == ["11", "3", "4", "4", "3", "1", "1", "1", "5", "3", "2", "1", "2", "1", "50.00",
                             "66.67"]
