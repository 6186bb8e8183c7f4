"""The demo catalogue's codes are those of the national catalogue of administrative procedures."""

import json
from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo_procedures.json"

# Code → name in the national catalogue (CSDL quốc gia về TTHC), checked for the codes issue 8 names.
NATIONAL = {
    "1.001193": "Đăng ký khai sinh",
    "1.000894": "Đăng ký kết hôn",
    "1.000656": "Đăng ký khai tử",
    "2.000635": "Cấp bản sao trích lục hộ tịch",
    "1.001612": "Đăng ký thành lập hộ kinh doanh",
    "2.000720": "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh",
}
# Codes that belong to other procedures than the demo once gave them: never used for anything else.
NOT_THESE = {
    "1.004884": "Đăng ký lại khai sinh",
    "2.000575": "Cấp lại Giấy chứng nhận đăng ký hộ kinh doanh",
}


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
