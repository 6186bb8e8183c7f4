"""Electronic identifier codes of agencies (QĐ 20/2020/QĐ-TTg): `XXX.YY.ZZ.Annn`, read right to left.

Level 1 is a letter and two digits (H = provincial People's Committee, ...), then ZZ (level 2), YY (level 3),
XXX (level 4). Zeros mean "no lower level", so a level may be non-zero only if every higher level is.
"""

import re

from tinhso.core.exceptions import ValidationError

IDENTIFIER_RE = re.compile(r"^(?P<l4>\d{3})\.(?P<l3>\d{2})\.(?P<l2>\d{2})\.(?P<l1>[A-Z]\d{2})$")
FORMAT_HELP = "XXX.YY.ZZ.Annn, ví dụ 000.00.00.H56"


def identifier_problem(code: str) -> str | None:
    """The Vietnamese reason a code is invalid, or None when it is valid."""
    match = IDENTIFIER_RE.match(code or "")
    if not match:
        return f"Mã định danh “{code}” không đúng cấu trúc {FORMAT_HELP} (13 ký tự)."
    l4, l3, l2 = match["l4"], match["l3"], match["l2"]
    if l2 == "00" and (l3 != "00" or l4 != "000"):
        return f"Mã định danh “{code}” có cấp 3 hoặc cấp 4 nhưng thiếu cấp 2 (ZZ = 00)."
    if l3 == "00" and l4 != "000":
        return f"Mã định danh “{code}” có cấp 4 nhưng thiếu cấp 3 (YY = 00)."
    return None


def validate_identifier(code: str, field: str = "identifier_code") -> str:
    code = (code or "").strip().upper()
    problem = identifier_problem(code)
    if problem:
        raise ValidationError.for_field(field, problem)
    return code


def identifier_depth(code: str) -> int:
    """1 for `000.00.00.H56`, 2 for `000.00.05.H56`, ..."""
    l4, l3, l2, _ = code.split(".")
    return 1 + (l2 != "00") + (l3 != "00") + (l4 != "000")
