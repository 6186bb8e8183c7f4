"""A small catalogue for tests, naming the agencies of the `world` fixture by identifier code."""

import copy

BIRTH = {
    "code": "1.001193", "name": "Đăng ký khai sinh", "field": "Hộ tịch", "levels": ["commune"],
    "agencies": ["000.01.50.H56", "000.02.50.H56"],
    "legal_basis": ["Luật Hộ tịch năm 2014", "Nghị định số 123/2015/NĐ-CP"],
    "processing_time": {"value": 1, "unit": "working_days"},
    "fee_text": "Miễn lệ phí đối với trường hợp đăng ký khai sinh đúng hạn", "fee_amount": 0,
    "papers": [{"name": "Tờ khai đăng ký khai sinh theo mẫu", "originals": 1, "copies": 0},
               {"name": "Giấy chứng sinh", "originals": 1, "copies": 0}],
    "result": "Giấy khai sinh bản chính", "online_level": "toan_trinh",
    "form_fields": [
        {"name": "child_full_name", "label": "Họ, chữ đệm và tên người được khai sinh", "type": "text",
         "required": True},
        {"name": "child_sex", "label": "Giới tính", "type": "select", "required": True, "choices": ["Nam", "Nữ"]},
    ],
}
CERTIFY = {
    "code": "2.000908", "name": "Chứng thực bản sao từ bản chính giấy tờ, văn bản", "field": "Chứng thực",
    "levels": ["commune"], "agencies": ["000.01.50.H56"], "legal_basis": ["Nghị định số 23/2015/NĐ-CP"],
    "processing_time": {"value": 8, "unit": "hours"}, "fee_text": "2.000 đồng/trang", "fee_amount": 2000,
    "papers": [{"name": "Bản chính giấy tờ cần chứng thực", "originals": 1, "copies": 1}],
    "result": "Bản sao được chứng thực", "online_level": "mot_phan", "form_fields": [],
}
CRIMINAL_RECORD = {
    "code": "1.000775", "name": "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam", "field": "Tư pháp",
    "levels": ["province"], "agencies": ["000.00.03.H56"], "legal_basis": ["Luật Lý lịch tư pháp năm 2009"],
    "processing_time": {"value": 10, "unit": "working_days"}, "fee_text": "200.000 đồng/lần", "fee_amount": 200000,
    "papers": [{"name": "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", "originals": 1, "copies": 0}],
    "result": "Phiếu lý lịch tư pháp", "online_level": "mot_phan",
    "form_fields": [{"name": "purpose", "label": "Mục đích sử dụng", "type": "textarea", "required": False}],
    "steps": ["Nộp tờ khai tại Sở Tư pháp | hoặc trực tuyến", "Nhận Phiếu lý lịch tư pháp"],
}
CLINIC_LICENCE = {
    "code": "1.002000", "name": "Cấp giấy phép hoạt động đối với phòng khám đa khoa", "field": "Y tế",
    "levels": ["province", "commune"], "agencies": ["000.00.10.H56"], "legal_basis": [],
    "processing_time": {"value": 30, "unit": "working_days"}, "fee_text": "", "fee_amount": 0,
    "papers": [], "result": "Giấy phép hoạt động", "online_level": "khong", "form_fields": [],
}
CATALOGUE = [BIRTH, CERTIFY, CRIMINAL_RECORD, CLINIC_LICENCE]


def catalogue_records() -> list[dict]:
    return copy.deepcopy(CATALOGUE)


def record(base: dict, **changes) -> dict:
    rec = copy.deepcopy(base)
    rec.update(changes)
    return rec
