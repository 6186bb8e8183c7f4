"""The II.06a statistics as an .xlsx laid out like the official form (Biểu II.06a/VPCP/KSTT), as CSV and as JSON.

The form's frame follows the reporting forms of TT 01/2020/TT-VPCP [to check against the signed text]: the form
code and its legal basis top left, the title and the period in the middle, the reporting unit and the unit it
reports to top right; under the table the place and date, the preparer's and the head's signature blocks. Printed
on A4 landscape, fitted to the page width. Every cell is written through `tinhso.core.exports` (no formulas).
"""

import io
import json
from datetime import date
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from tinhso.core.exports import csv_writer, xlsx_cell, xlsx_set

FORM_CODE = "Biểu số II.06a/VPCP/KSTT"
FORM_BASIS = "Ban hành theo Thông tư số 01/2020/TT-VPCP"
FORM_TITLE = ("TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TẠI CƠ QUAN, ĐƠN VỊ "
              "TRỰC TIẾP GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH")
ROW_LABELS = {"agency": "Tên cơ quan, đơn vị", "unit": "Đơn vị hành chính", "procedure": "Thủ tục hành chính",
              "field": "Lĩnh vực", "none": "Cơ quan, đơn vị"}
# The data columns after STT and the name, in the order of the form.
DATA_KEYS = ["received_total", "carried_over", "new_online", "new_direct_postal", "resolved_total",
             "resolved_early", "resolved_on_time", "resolved_late", "pending_total", "pending_within",
             "pending_overdue", "withdrawn", "stopped", "returned", "online_rate", "on_time_rate"]
# "Trả lại" means a dossier handed back unprocessed, never a result handed over: the results column says so.
DATA_LABELS = {
    "received_total": "Tổng số hồ sơ tiếp nhận", "carried_over": "Số kỳ trước chuyển qua",
    "new_online": "Mới tiếp nhận trực tuyến", "new_direct_postal": "Mới tiếp nhận trực tiếp, BCCI",
    "resolved_total": "Đã giải quyết", "resolved_early": "Giải quyết trước hạn",
    "resolved_on_time": "Giải quyết đúng hạn", "resolved_late": "Giải quyết quá hạn",
    "pending_total": "Đang giải quyết", "pending_within": "Đang giải quyết trong hạn",
    "pending_overdue": "Đang giải quyết quá hạn", "withdrawn": "Rút hồ sơ", "stopped": "Dừng xử lý (mẫu 05)",
    "returned": "Đã trả kết quả", "online_rate": "Tỷ lệ mới tiếp nhận trực tuyến (%)",
    "on_time_rate": "Tỷ lệ giải quyết trước và đúng hạn (%)",
}
# The header as (row offset, first column, last column, rows spanned, label), columns counted from 1 (STT).
HEADER = [
    (0, 1, 1, 3, "STT"),
    (0, 2, 2, 3, None),  # the row label, depends on the grouping
    (0, 3, 6, 1, "Tổng số hồ sơ tiếp nhận"),
    (1, 3, 3, 2, "Tổng số"),
    (1, 4, 4, 2, "Số kỳ trước chuyển qua"),
    (1, 5, 6, 1, "Số mới tiếp nhận"),
    (2, 5, 5, 1, "Trực tuyến"),
    (2, 6, 6, 1, "Trực tiếp, BCCI"),
    (0, 7, 10, 1, "Số hồ sơ đã giải quyết"),
    (1, 7, 7, 2, "Tổng số"),
    (1, 8, 8, 2, "Trước hạn"),
    (1, 9, 9, 2, "Đúng hạn"),
    (1, 10, 10, 2, "Quá hạn"),
    (0, 11, 13, 1, "Số hồ sơ đang giải quyết"),
    (1, 11, 11, 2, "Tổng số"),
    (1, 12, 12, 2, "Trong hạn"),
    (1, 13, 13, 2, "Quá hạn"),
    (0, 14, 14, 3, "Rút hồ sơ"),
    (0, 15, 15, 3, "Dừng xử lý (mẫu 05)"),
    (0, 16, 16, 3, "Đã trả kết quả cho người nộp"),
    (0, 17, 17, 3, "Tỷ lệ mới tiếp nhận trực tuyến (%)"),
    (0, 18, 18, 3, "Tỷ lệ giải quyết trước và đúng hạn (%)"),
]
COLUMN_COUNT = 2 + len(DATA_KEYS)
HEADER_ROW = 7
TOTAL_LABEL = "Tổng cộng"
BALANCE_NOTE = ("Ghi chú: (3) = (4) + (5) + (6) = (7) + (11) + (14) + (15); (7) = (8) + (9) + (10); "
                "(11) = (12) + (13). Hồ sơ chờ công dân bổ sung (mẫu 02) không tính quá hạn trong thời gian tạm dừng.")


def _date(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"


def period_text(stats: dict) -> str:
    p = stats["period"]
    return f"{p['label']} (từ ngày {_date(p['date_from'])} đến ngày {_date(p['date_to'])})"


def signature_date(stats: dict, issued_on: date) -> str:
    place = stats.get("place") or ""
    when = f"ngày {issued_on.day:02d} tháng {issued_on.month:02d} năm {issued_on.year}"
    return f"{place}, {when}" if place else when.capitalize()


def statistics_xlsx(stats: dict, *, issued_on: date | None = None) -> bytes:
    """The workbook for `dossiers.statistics.dossier_statistics(...)`'s result, dated `issued_on` (today)."""
    issued_on = issued_on or timezone.localdate()
    wb = Workbook()
    ws = wb.active
    ws.title = "II.06a"
    bold, thin = Font(bold=True), Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left = Alignment(horizontal="left", vertical="top", wrap_text=True)
    last = get_column_letter(COLUMN_COUNT)
    reporting = stats.get("reporting_unit") or stats["scope"]["name"]
    recipient = stats.get("reports_to") or ""

    def merged(cell_range: str, value, *, font=None, alignment=centre):
        ws.merge_cells(cell_range)
        cell = ws[cell_range.split(":")[0]]
        xlsx_set(cell, value)
        cell.alignment = alignment
        if font:
            cell.font = font

    # Top: form code | title and period | reporting unit and recipient.
    merged("A1:D1", FORM_CODE, font=bold, alignment=left)
    merged("A2:D2", FORM_BASIS, font=Font(italic=True), alignment=left)
    merged("A3:D3", "Ngày nhận báo cáo (BC):", alignment=left)
    merged("E1:N2", FORM_TITLE, font=Font(bold=True, size=12))
    merged("E3:N3", f"Kỳ báo cáo: {stats['period']['label']}", font=bold)
    merged("E4:N4", f"(Từ ngày {_date(stats['period']['date_from'])} đến ngày {_date(stats['period']['date_to'])})",
           font=Font(italic=True))
    merged(f"O1:{last}2", f"Đơn vị báo cáo: {reporting}", alignment=left)
    merged(f"O3:{last}4", f"Đơn vị nhận báo cáo: {recipient}", alignment=left)
    merged(f"O5:{last}5", "Đơn vị tính: hồ sơ", alignment=Alignment(horizontal="right"))
    for row in (1, 2, 3, 4):
        ws.row_dimensions[row].height = 24

    label = ROW_LABELS.get(stats.get("group_by", "agency"), ROW_LABELS["agency"])
    for offset, first, last_col, rows, text in HEADER:
        top = HEADER_ROW + offset
        cell_range = f"{get_column_letter(first)}{top}:{get_column_letter(last_col)}{top + rows - 1}"
        if cell_range.split(":")[0] != cell_range.split(":")[1]:
            ws.merge_cells(cell_range)
        cell = xlsx_cell(ws, top, first, text if text is not None else label)
        cell.font, cell.alignment = bold, centre
    number_row = HEADER_ROW + 3
    for col in range(1, COLUMN_COUNT + 1):
        cell = xlsx_cell(ws, number_row, col, f"({col})")
        cell.alignment, cell.font = centre, Font(italic=True)
    for row in range(HEADER_ROW, number_row + 1):
        for col in range(1, COLUMN_COUNT + 1):
            ws.cell(row=row, column=col).border = border

    rows = stats.get("rows") or []
    lines = [(i, r.get("name", ""), r) for i, r in enumerate(rows, start=1)]
    lines.append(("", TOTAL_LABEL, stats))
    for index, (stt, name, figures) in enumerate(lines):
        row = number_row + 1 + index
        is_total = name == TOTAL_LABEL and index == len(lines) - 1
        xlsx_cell(ws, row, 1, stt).alignment = Alignment(horizontal="center")
        xlsx_cell(ws, row, 2, name).alignment = Alignment(wrap_text=True, vertical="top")
        for offset, key in enumerate(DATA_KEYS):
            value = figures.get(key)
            if isinstance(value, Decimal):
                value = float(value)
            cell = xlsx_cell(ws, row, 3 + offset, value)
            cell.number_format = "0.00" if key.endswith("_rate") else "#,##0"
        for col in range(1, COLUMN_COUNT + 1):
            ws.cell(row=row, column=col).border = border
            if is_total:
                ws.cell(row=row, column=col).font = bold
    last_table_row = number_row + len(lines)

    # Under the table: the note, then the date and the two signature blocks.
    note_row = last_table_row + 1
    merged(f"A{note_row}:{last}{note_row}", BALANCE_NOTE, font=Font(italic=True), alignment=left)
    ws.row_dimensions[note_row].height = 30
    sign = note_row + 2
    merged(f"M{sign}:{last}{sign}", signature_date(stats, issued_on), font=Font(italic=True))
    merged(f"A{sign + 1}:F{sign + 1}", "NGƯỜI LẬP BIỂU", font=bold)
    merged(f"A{sign + 2}:F{sign + 2}", "(Ký, ghi rõ họ tên)", font=Font(italic=True))
    merged(f"M{sign + 1}:{last}{sign + 1}", "THỦ TRƯỞNG ĐƠN VỊ", font=bold)
    merged(f"M{sign + 2}:{last}{sign + 2}", "(Ký tên, đóng dấu)", font=Font(italic=True))

    ws.column_dimensions["A"].width = 5
    ws.column_dimensions["B"].width = 36
    for col in range(3, COLUMN_COUNT + 1):
        ws.column_dimensions[get_column_letter(col)].width = 10
    ws.freeze_panes = ws.cell(row=number_row + 1, column=3)
    # A4 landscape, the whole width on one page, the header repeated on every page.
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{HEADER_ROW}:{number_row}"
    ws.print_area = f"A1:{last}{sign + 6}"
    ws.page_margins.left = ws.page_margins.right = 0.4
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def statistics_csv(stats: dict) -> str:
    """One line per row and a total line; columns named in Vietnamese, figures as numbers (UTF-8 with BOM for
    spreadsheet programs is the caller's choice)."""
    out = io.StringIO()
    writer = csv_writer(out)
    label = ROW_LABELS.get(stats.get("group_by", "agency"), ROW_LABELS["agency"])
    writer.writerow(["STT", "Mã", label, *(DATA_LABELS[k] for k in DATA_KEYS)])
    for i, row in enumerate(stats.get("rows") or [], start=1):
        writer.writerow([i, row.get("key", ""), row.get("name", ""), *(_csv_number(row.get(k)) for k in DATA_KEYS)])
    writer.writerow(["", "", TOTAL_LABEL, *(_csv_number(stats.get(k)) for k in DATA_KEYS)])
    return out.getvalue()


def _csv_number(value):
    if value is None:
        return ""
    return f"{value:.2f}" if isinstance(value, Decimal) else value


def statistics_json(stats: dict) -> str:
    return json.dumps(stats, ensure_ascii=False, indent=2, default=_json_default)


def _json_default(value):
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def xlsx_filename(stats: dict, extension: str = "xlsx") -> str:
    p = stats["period"]
    scope = stats["scope"]["code"] or "tat-ca"
    return f"bieu-II.06a-{scope}-{p['date_from']}-{p['date_to']}.{extension}"
