"""Level-1 identifier codes of provinces (QĐ 20/2020/QĐ-TTg, amended by QĐ 09/2025/QĐ-TTg)."""

import pytest

from tinhso.core.text import fold
from tinhso.org.data.province_identifiers import CURRENT_PROVINCE_PREFIX, LEGACY_PROVINCE_PREFIX
from tinhso.org.official_data import legacy_provinces

pytestmark = pytest.mark.smoke


def test_ho_chi_minh_city_is_h29_as_its_published_procedure_codes_and_hoa_binh_h30():
    assert CURRENT_PROVINCE_PREFIX["79"] == LEGACY_PROVINCE_PREFIX["79"] == "H29"
    assert LEGACY_PROVINCE_PREFIX["17"] == "H30"  # Tỉnh Hòa Bình


def test_legacy_codes_number_the_63_provinces_in_order_of_their_names_without_diacritics():
    names = {code: fold(p.short_name) for code, p in legacy_provinces().items()}
    names["46"] = "thua thien hue"  # its name in 2020 (the package gives today's "Huế")
    by_prefix = sorted(LEGACY_PROVINCE_PREFIX, key=LEGACY_PROVINCE_PREFIX.get)
    assert sorted(LEGACY_PROVINCE_PREFIX.values()) == [f"H{i:02d}" for i in range(1, 64)]
    order = [names[c] for c in by_prefix]
    assert order == sorted(order)
    assert order[11:14] == ["ca mau", "can tho", "cao bang"]
    # Published: the seeds' provinces, and Cao Bằng H14 / Nghệ An H41 in the edXML samples of the national
    # document exchange (sources in the data file).
    confirmed = {"02": "H22", "33": "H31", "22": "H49", "34": "H54", "38": "H56", "08": "H60", "04": "H14",
                 "40": "H41"}
    assert {c: LEGACY_PROVINCE_PREFIX[c] for c in confirmed} == confirmed


def test_current_provinces_keep_the_code_of_the_province_whose_name_they_keep():
    current_names = {"08": "tuyen quang", "33": "hung yen", "38": "thanh hoa", "79": "ho chi minh"}
    by_name = {fold(p.short_name): p.code for p in legacy_provinces().values()}
    for code, name in current_names.items():
        assert CURRENT_PROVINCE_PREFIX[code] == LEGACY_PROVINCE_PREFIX[by_name[name]]
    assert len(CURRENT_PROVINCE_PREFIX) == 34 and len(set(CURRENT_PROVINCE_PREFIX.values())) == 34
