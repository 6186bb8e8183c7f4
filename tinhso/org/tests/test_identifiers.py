import pytest

from tinhso.core.exceptions import ValidationError
from tinhso.org.identifiers import identifier_depth, identifier_problem, validate_identifier

pytestmark = pytest.mark.smoke


@pytest.mark.parametrize("code", ["000.00.00.H56", "000.00.05.H56", "000.12.05.H56", "123.12.05.H56", "000.00.00.G12"])
def test_well_formed_codes_are_accepted(code):
    assert identifier_problem(code) is None


@pytest.mark.parametrize(("code", "reason"), [
    ("H56", "cấu trúc"),
    ("000.00.00.56", "cấu trúc"),
    ("000.0.00.H56", "cấu trúc"),
    ("000.00.00.h56", "cấu trúc"),
    ("000.05.00.H56", "thiếu cấp 2"),
    ("001.00.05.H56", "thiếu cấp 3"),
])
def test_malformed_codes_are_explained_in_vietnamese(code, reason):
    assert reason in identifier_problem(code)


def test_validate_uppercases_and_names_the_field():
    assert validate_identifier(" 000.00.00.h56 ") == "000.00.00.H56"
    with pytest.raises(ValidationError) as exc:
        validate_identifier("abc")
    assert "identifier_code" in exc.value.field_errors


def test_depth_counts_levels():
    assert identifier_depth("000.00.00.H56") == 1
    assert identifier_depth("000.00.05.H56") == 2
    assert identifier_depth("001.02.05.H56") == 4
