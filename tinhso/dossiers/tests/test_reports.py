"""Acceptance: imported history reproducing Hà Giang's H1-2021 figures, reported as JSON and as the Excel form."""

import io
import json
import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tinhso.dossiers.importing import COLUMNS, dossiers_import_content
from tinhso.dossiers.reports import FORM_CODE, HEADER_ROW
from tinhso.org.choices import AgencyKind
from tinhso.org.tests.factories import AgencyFactory, CommuneFactory, ProvinceFactory

from .test_statistics import make_procedure

VN = ZoneInfo("Asia/Ho_Chi_Minh")
# The seed (Hà Giang, first half of 2021): 74,278 received = 8,180 carried over + 3,215 online + 62,883 in person
# or by post; 65,466 resolved, 92.3 % before or on time. The split of resolved and pending dossiers is ours.
HA_GIANG_H1_2021 = {"carried_over": 8180, "new_online": 3215, "new_direct_postal": 62883, "resolved_early": 40000,
                    "resolved_on_time": 20425, "resolved_late": 5041, "withdrawn": 312, "pending_within": 7000,
                    "pending_overdue": 1500}


def scaled(counts: dict, divisor: int) -> dict:
    out = {k: max(1, v // divisor) for k, v in counts.items()}
    received = out["carried_over"] + out["new_online"] + out["new_direct_postal"]
    closing = ["resolved_early", "resolved_on_time", "resolved_late", "withdrawn", "pending_within"]
    out["pending_overdue"] = received - sum(out[k] for k in closing)
    return out


def iso(value: datetime) -> str:
    return value.isoformat()


def history_rows(counts: dict, agencies: list[str], procedures: list[str]) -> tuple[list[str], int]:
    """CSV rows reproducing `counts` for H1-2021, plus rows that must not count; (rows, returned in H1)."""
    received = counts["carried_over"] + counts["new_online"] + counts["new_direct_postal"]
    outcomes = [name for name in ("resolved_early", "resolved_on_time", "resolved_late", "withdrawn",
                                  "pending_within", "pending_overdue") for _ in range(counts[name])]
    assert len(outcomes) == received
    random.Random(2021).shuffle(outcomes)
    rows, returned = [], 0
    for i, outcome in enumerate(outcomes):
        agency, procedure = agencies[i % len(agencies)], procedures[i % len(procedures)]
        if i < counts["carried_over"]:
            channel = "direct"
            received_at = datetime(2020, 12, 1 + i % 28, 9, tzinfo=VN)
            t0 = datetime(2021, 1, 4, 9, tzinfo=VN)  # what happens to it happens within the period
        else:
            n = i - counts["carried_over"]
            channel = "online" if n < counts["new_online"] else ("direct", "postal")[n % 2]
            received_at = datetime(2021, 1, 1, 8, tzinfo=VN) + timedelta(days=n % 170, hours=n % 8)
            t0 = received_at
        due = resolved = returned_at = withdrawn = None
        status = "resolved"
        if outcome == "resolved_early":
            due, resolved = t0 + timedelta(days=5), t0 + timedelta(days=1)
            if i % 2:
                status, returned_at = "returned", resolved + timedelta(hours=2)
                returned += 1
        elif outcome == "resolved_on_time":
            due = t0 + timedelta(days=3)
            resolved = due - timedelta(hours=1)
        elif outcome == "resolved_late":
            due, resolved = t0 + timedelta(days=2), t0 + timedelta(days=4)
        elif outcome == "withdrawn":
            status, withdrawn = "withdrawn", t0 + timedelta(days=1)
        elif outcome == "pending_within":
            status, due = "pending", datetime(2021, 7, 20, 9, tzinfo=VN)
        else:
            status, due = "pending", datetime(2021, 6, 25, 9, tzinfo=VN)
        rows.append(_row(f"HG-{i:06d}", procedure, agency, channel, received_at, due, resolved, returned_at,
                         withdrawn, status))
    # Never counted in H1-2021: refused at the counter, received after it, closed before it.
    for j in range(30):
        agency, procedure = agencies[j % len(agencies)], procedures[j % len(procedures)]
        rows.append(_row(f"HG-R{j:04d}", procedure, agency, "online", datetime(2021, 3, 3, 20, tzinfo=VN),
                         None, None, None, None, "refused"))
        rows.append(_row(f"HG-A{j:04d}", procedure, agency, "direct", datetime(2021, 7, 1, 0, tzinfo=VN),
                         datetime(2021, 7, 9, tzinfo=VN), None, None, None, "pending"))
        early = datetime(2020, 11, 2, 9, tzinfo=VN)
        rows.append(_row(f"HG-B{j:04d}", procedure, agency, "direct", early, early + timedelta(days=5),
                         early + timedelta(days=1), early + timedelta(days=2), None, "returned"))
    return rows, returned


def _row(code, procedure, agency, channel, received_at, due, resolved, returned_at, withdrawn, status) -> str:
    stamps = [iso(v) if v else "" for v in (received_at, due, resolved, returned_at, withdrawn)]
    return ",".join([code, procedure, agency, channel, *stamps, status])


@pytest.fixture
def ha_giang(db):
    province = ProvinceFactory(code="02", name="Tỉnh Hà Giang", short_name="Hà Giang", identifier_prefix="H22")
    commune = CommuneFactory(code="00688", short_name="Đồng Văn", parent=province)
    committee = AgencyFactory(identifier_code="000.00.00.H22", name="Ủy ban nhân dân tỉnh Hà Giang",
                              kind=AgencyKind.PROVINCIAL_COMMITTEE, unit=province)
    justice = AgencyFactory(identifier_code="000.00.03.H22", name="Sở Tư pháp tỉnh Hà Giang", unit=province,
                            parent=committee)
    planning = AgencyFactory(identifier_code="000.00.04.H22", name="Sở Kế hoạch và Đầu tư tỉnh Hà Giang",
                             unit=province, parent=committee)
    commune_committee = AgencyFactory(identifier_code="000.01.50.H22", name="Ủy ban nhân dân xã Đồng Văn",
                                      kind=AgencyKind.COMMUNE_COMMITTEE, unit=commune, parent=committee)
    agencies = [justice, planning, commune_committee]
    make_procedure(agencies=agencies)
    make_procedure(code="2.001035", name="Đăng ký thành lập hộ kinh doanh",
                   field=("dang-ky-kinh-doanh", "Đăng ký kinh doanh"), agencies=agencies)
    return province, agencies


def _reproduce(ha_giang, counts: dict, tmp_path) -> tuple[dict, int]:
    province, agencies = ha_giang
    rows, returned = history_rows(counts, [a.identifier_code for a in agencies], ["1.001193", "2.001035"])
    content = ("\n".join([",".join(COLUMNS), *rows]) + "\n").encode()
    result = dossiers_import_content(actor=None, content=content, name="ha-giang-2021.csv")
    assert result.rows == len(rows)
    out = io.StringIO()
    call_command("report_dossiers", "--unit", province.code, "--from", "2021-01-01", "--to", "2021-06-30",
                 "--format", "json", stdout=out)
    return json.loads(out.getvalue()), returned


def _expected(counts: dict) -> dict:
    resolved = counts["resolved_early"] + counts["resolved_on_time"] + counts["resolved_late"]
    return {
        "received_total": counts["carried_over"] + counts["new_online"] + counts["new_direct_postal"],
        "carried_over": counts["carried_over"], "new_online": counts["new_online"],
        "new_direct_postal": counts["new_direct_postal"], "resolved_total": resolved,
        "resolved_early": counts["resolved_early"], "resolved_on_time": counts["resolved_on_time"],
        "resolved_late": counts["resolved_late"],
        "pending_total": counts["pending_within"] + counts["pending_overdue"],
        "pending_within": counts["pending_within"], "pending_overdue": counts["pending_overdue"],
        "withdrawn": counts["withdrawn"],
    }


# Not in the SQLite smoke subset: the full size runs in the PostgreSQL suite, the 1/20 variant below on SQLite.
def test_report_reproduces_ha_giang_first_half_of_2021(ha_giang, tmp_path):
    if connection.vendor == "sqlite":
        pytest.skip("Full-size (74,278 dossiers) on PostgreSQL only; SQLite runs the 1/20 variant below.")
    report, returned = _reproduce(ha_giang, HA_GIANG_H1_2021, tmp_path)

    assert {k: report[k] for k in _expected(HA_GIANG_H1_2021)} == _expected(HA_GIANG_H1_2021)
    assert report["received_total"] == 74278
    assert (report["new_online"], report["new_direct_postal"]) == (3215, 62883)
    assert report["resolved_total"] == 65466
    assert report["online_rate"] == 4.86
    assert report["on_time_rate"] == 92.3
    assert report["returned"] == returned
    assert report["period"]["label"] == "6 tháng đầu năm 2021"
    assert sum(r["received_total"] for r in report["rows"]) == 74278

    path = tmp_path / "bieu.xlsx"
    call_command("report_dossiers", "--unit", "02", "--from", "2021-01-01", "--to", "2021-06-30",
                 "--format", "xlsx", "--output", str(path))
    _check_workbook(path, rows=3, received=74278, online=3215, resolved=65466, online_rate=4.86)


@pytest.mark.smoke
def test_report_reproduces_a_twentieth_of_ha_giang_first_half_of_2021(ha_giang, tmp_path):
    counts = scaled(HA_GIANG_H1_2021, 20)
    report, returned = _reproduce(ha_giang, counts, tmp_path)
    expected = _expected(counts)
    assert {k: report[k] for k in expected} == expected
    assert report["returned"] == returned
    rate = round(100 * counts["new_online"] / (counts["new_online"] + counts["new_direct_postal"]), 2)
    assert report["online_rate"] == rate

    path = tmp_path / "bieu.xlsx"
    call_command("report_dossiers", "--unit", "02", "--from", "2021-01-01", "--to", "2021-06-30",
                 "--format", "xlsx", "--output", str(path))
    _check_workbook(path, rows=3, received=expected["received_total"], online=counts["new_online"],
                    resolved=expected["resolved_total"], online_rate=rate)


def _check_workbook(path, *, rows: int, received: int, online: int, resolved: int, online_rate: float):
    ws = openpyxl.load_workbook(path).active
    assert ws["A1"].value == FORM_CODE and "01/2020/TT-VPCP" in ws["A2"].value
    assert "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH" in ws["E1"].value
    assert ws["E3"].value == "Kỳ báo cáo: 6 tháng đầu năm 2021"
    assert "01/01/2021" in ws["E4"].value and "30/06/2021" in ws["E4"].value
    # The province reports to the Government Office.
    assert ws["O1"].value == "Đơn vị báo cáo: Ủy ban nhân dân tỉnh Hà Giang"
    assert ws["O3"].value.startswith("Đơn vị nhận báo cáo: Văn phòng Chính phủ")
    assert ws["O5"].value == "Đơn vị tính: hồ sơ"
    assert ws.cell(HEADER_ROW, 3).value == "Tổng số hồ sơ tiếp nhận"
    assert ws.cell(HEADER_ROW + 1, 4).value == "Số kỳ trước chuyển qua"
    assert ws.cell(HEADER_ROW + 2, 5).value == "Trực tuyến"
    assert ws.cell(HEADER_ROW + 2, 6).value == "Trực tiếp, BCCI"
    assert ws.cell(HEADER_ROW, 7).value == "Số hồ sơ đã giải quyết"
    assert ws.cell(HEADER_ROW, 11).value == "Số hồ sơ đang giải quyết"
    assert ws.cell(HEADER_ROW, 15).value == "Dừng xử lý (mẫu 05)"
    headers = [str(ws.cell(HEADER_ROW + r, c).value or "") for r in range(3) for c in range(1, 19)]
    assert not any("Trả lại" in h for h in headers)  # "trả lại" is a dossier handed back unprocessed
    assert f"C{HEADER_ROW}:F{HEADER_ROW}" in {str(r) for r in ws.merged_cells.ranges}
    assert [ws.cell(HEADER_ROW + 3, c).value for c in (1, 2, 3, 18)] == ["(1)", "(2)", "(3)", "(18)"]
    total_row = HEADER_ROW + 4 + rows
    assert ws.cell(total_row, 2).value == "Tổng cộng"
    assert ws.cell(total_row, 3).value == received
    assert ws.cell(total_row, 5).value == online
    assert ws.cell(total_row, 7).value == resolved
    assert ws.cell(total_row, 17).value == online_rate
    assert sum(ws.cell(HEADER_ROW + 4 + i, 3).value for i in range(rows)) == received
    # Balance note, the date line and the two signature blocks under the table.
    texts = [str(c.value) for row in ws.iter_rows(min_row=total_row + 1) for c in row if c.value]
    assert any(t.startswith("Ghi chú: (3) = (4) + (5) + (6) = (7) + (11) + (14) + (15)") for t in texts)
    assert any(t.startswith("Hà Giang, ngày ") and " tháng " in t and " năm " in t for t in texts)
    assert {"NGƯỜI LẬP BIỂU", "(Ký, ghi rõ họ tên)", "THỦ TRƯỞNG ĐƠN VỊ", "(Ký tên, đóng dấu)"} <= set(texts)
    # Printed on A4 landscape, fitted to the page width.
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4) == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0


@pytest.mark.smoke
def test_report_command_explains_bad_arguments(ha_giang, tmp_path):
    with pytest.raises(CommandError, match="date_to"):
        call_command("report_dossiers", "--unit", "02", "--from", "2021-01-01")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("report_dossiers", "--unit", "02", "--from", "01/01/2021", "--to", "2021-06-30")
    with pytest.raises(CommandError, match="--output"):
        call_command("report_dossiers", "--unit", "02", "--period", "2021-H1", "--format", "xlsx")
    with pytest.raises(CommandError, match="Không có cơ quan"):
        call_command("report_dossiers", "--agency", "000.00.99.H22", "--period", "2021-H1")


@pytest.mark.smoke
def test_report_command_writes_json_to_a_file_by_agency_and_period(ha_giang, tmp_path):
    path = tmp_path / "bao-cao.json"
    call_command("report_dossiers", "--agency", "000.00.03.H22", "--period", "2021-Q2", "--output", str(path),
                 stderr=io.StringIO())
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["scope"]["code"] == "000.00.03.H22" and data["period"]["label"] == "Quý II/2021"
    assert data["received_total"] == 0 and data["online_rate"] is None
