"""The II.06a statistics as an .xlsx laid out like the official form (Biểu II.06a/VPCP/KSTT) and as JSON."""

import io
import json
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from tinhso.core.exports import xlsx_cell, xlsx_set

FORM_CODE = "Biểu số II.06a/VPCP/KSTT"
FORM_TITLE = ("TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TẠI CƠ QUAN, ĐƠN VỊ "
              "TRỰC TIẾP GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH")
ROW_LABELS = {"agency": "Tên cơ quan, đơn vị", "unit": "Đơn vị hành chính", "procedure": "Thủ tục hành chính",
              "field": "Lĩnh vực", "none": "Cơ quan, đơn vị"}
# The data columns after STT and the name, in the order of the form.
DATA_KEYS = ["received_total", "carried_over", "new_online", "new_direct_postal", "resolved_total",
             "resolved_early", "resolved_on_time", "resolved_late", "pending_total", "pending_within",
             "pending_overdue", "withdrawn", "returned", "online_rate", "on_time_rate"]
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
    (0, 15, 15, 3, "Trả lại (đã trả kết quả)"),
    (0, 16, 16, 3, "Tỷ lệ mới tiếp nhận trực tuyến (%)"),
    (0, 17, 17, 3, "Tỷ lệ giải quyết trước và đúng hạn (%)"),
]
COLUMN_COUNT = 2 + len(DATA_KEYS)
HEADER_ROW = 8
TOTAL_LABEL = "Tổng cộng"


def _date(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"


def period_text(stats: dict) -> str:
    p = stats["period"]
    return f"{p['label']} (từ ngày {_date(p['date_from'])} đến ngày {_date(p['date_to'])})"


def statistics_xlsx(stats: dict) -> bytes:
    """The workbook for `dossiers.statistics.dossier_statistics(...)`'s result."""
    wb = Workbook()
    ws = wb.active
    ws.title = "II.06a"
    bold, thin = Font(bold=True), Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    last = get_column_letter(COLUMN_COUNT)
    scope_name = stats["scope"]["name"]

    def merged(cell_range: str, value, *, font=None, alignment=centre):
        ws.merge_cells(cell_range)
        cell = ws[cell_range.split(":")[0]]
        xlsx_set(cell, value)
        cell.alignment = alignment
        if font:
            cell.font = font

    merged("A1:F1", scope_name.upper(), font=bold)
    merged(f"N1:{last}1", FORM_CODE, font=bold)
    merged(f"A3:{last}3", FORM_TITLE, font=Font(bold=True, size=13))
    merged(f"A4:{last}4", f"Kỳ báo cáo: {period_text(stats)}")
    merged(f"A5:{last}5", f"Đơn vị báo cáo: {scope_name}")
    merged(f"A6:{last}6", "Đơn vị tính: hồ sơ", alignment=Alignment(horizontal="right"))
    ws.row_dimensions[3].height = 36

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

    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 44
    for col in range(3, COLUMN_COUNT + 1):
        ws.column_dimensions[get_column_letter(col)].width = 12
    ws.freeze_panes = ws.cell(row=number_row + 1, column=3)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def statistics_json(stats: dict) -> str:
    return json.dumps(stats, ensure_ascii=False, indent=2, default=_json_default)


def _json_default(value):
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def xlsx_filename(stats: dict) -> str:
    p = stats["period"]
    scope = stats["scope"]["code"] or "tat-ca"
    return f"bieu-II.06a-{scope}-{p['date_from']}-{p['date_to']}.xlsx"
