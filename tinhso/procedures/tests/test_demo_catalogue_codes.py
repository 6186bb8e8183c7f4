"""The demo catalogue's codes are those of the national catalogue of administrative procedures."""

import json
import re
from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo_procedures.json"
NOTES = DEMO.with_name("CATALOGUE_NOTES.md")

# Code → name in the national catalogue (CSDL quốc gia về TTHC), checked for the codes issue 8 names.
NATIONAL = {
    "1.001193": "Đăng ký khai sinh",
    "1.000894": "Đăng ký kết hôn",
    "1.000656": "Đăng ký khai tử",
    "2.000635": "Cấp bản sao trích lục hộ tịch",
    "1.001612": "Đăng ký thành lập hộ kinh doanh",
    "2.000720": "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh",
    # read on a stored crawl of the portal (CATALOGUE_NOTES.md, source C)
    "1.004884": "Đăng ký lại khai sinh",
    "1.001022": "Đăng ký nhận cha, mẹ, con",
    "1.000689": "Đăng ký khai sinh kết hợp đăng ký nhận cha, mẹ, con",
    "1.004837": "Đăng ký giám hộ",
    "1.004222": "Đăng ký thường trú",
    "1.001266": "Chấm dứt hoạt động hộ kinh doanh",
    "1.012790": "Đính chính Giấy chứng nhận đã cấp",
    "1.012756": "Đăng ký đất đai lần đầu đối với trường hợp được Nhà nước giao đất để quản lý",
    "1.013978": "Đăng ký đất đai, tài sản gắn liền với đất, cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu "
                "tài sản gắn liền với đất lần đầu đối với hộ gia đình, cá nhân, cộng đồng dân cư, người gốc Việt Nam "
                "định cư ở nước ngoài",
    "2.000575": "Cấp lại Giấy chứng nhận đăng ký hộ kinh doanh",
    "2.000908": "Cấp bản sao từ sổ gốc",
}
# Codes that belong to other procedures than the demo once gave them: never used for anything else.
NOT_THESE = {
    "1.004884": "Đăng ký lại khai sinh",
}
# Codes the first demo catalogue gave to other procedures (CATALOGUE_NOTES.md, "Corrections").
WRONG = {"2.000565", "1.001758", "1.012871", "1.012760", "1.012801"}


@pytest.fixture(scope="module")
def catalogue() -> dict[str, dict]:
    return {p["code"]: p for p in json.loads(DEMO.read_text(encoding="utf-8"))}


@pytest.mark.smoke
def test_demo_codes_match_the_national_catalogue(catalogue):
    for code, name in NATIONAL.items():
        assert catalogue[code]["name"] == name, code
    for code, name in NOT_THESE.items():
        assert code not in catalogue or catalogue[code]["name"] == name, code


@pytest.mark.smoke
def test_codes_are_unique_and_legal_bases_are_in_force_in_2026(catalogue):
    assert len(catalogue) == len(json.loads(DEMO.read_text(encoding="utf-8")))
    repealed = ["Luật Việc làm năm 2013", "Nghị định số 28/2015/NĐ-CP", "Nghị định số 61/2020/NĐ-CP",
                "Nghị định số 23/2021/NĐ-CP", "Luật Năng lượng nguyên tử năm 2008"]
    for p in catalogue.values():
        assert not set(p["legal_basis"]) & set(repealed), p["code"]
    assert "Luật Việc làm năm 2025" in catalogue["1.001978"]["legal_basis"]


@pytest.mark.smoke
def test_the_catalogue_is_large_enough_and_every_code_is_accounted_for_in_the_notes(catalogue):
    assert len(catalogue) >= 150
    assert not WRONG & set(catalogue)
    notes = NOTES.read_text(encoding="utf-8")
    listed = dict(re.findall(r"^\| (\d\.\d{6}) \| .* \| \[(portal|portal-listed|secondary|to check)\] \|", notes,
                             flags=re.M))
    assert set(listed) == set(catalogue)
    for code, mark in listed.items():
        if code in NATIONAL and code not in {"1.001612", "2.000720", "2.000575", "2.000908", "1.001193",
                                             "1.000894", "1.000656", "2.000635"}:
            assert mark == "portal", code


def test_every_record_is_well_formed_for_the_citizen(catalogue):
    for p in catalogue.values():
        assert re.fullmatch(r"[1-3]\.\d{6}", p["code"]), p["code"]
        assert p["legal_basis"] and p["papers"] and p["result"], p["code"]
        assert p["fee_text"] or p["fee_amount"] == 0, p["code"]
        if p["online_level"] == "toan_trinh":
            assert p["form_fields"], p["code"]
