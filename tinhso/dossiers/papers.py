"""The papers of a procedure (thành phần hồ sơ) as a dossier needs them: which are required, and the checks on the
one-stop's checklist (received, bản chính / bản sao counts) and on the per-paper uploads.

The catalogue marks a paper that only some applicants need with a condition in brackets: "(nếu có)",
"(nếu người đi đăng ký là người được ủy quyền)", "(khi một bên không thường trú …)", "(đối với người khuyết
tật)", "(trường hợp …)". That is how the national catalogue words them [common]; such a paper is optional.
"""

import re
from dataclasses import dataclass

CONDITION = re.compile(r"\((?:nếu|khi|đối với|trường hợp)\b", re.IGNORECASE)
MAX_COUNT = 99


def paper_required(name: str) -> bool:
    return CONDITION.search(name or "") is None


@dataclass
class PaperCheck:
    """What the clerk ticked for one paper at the counter."""

    received: bool = False
    originals: int = 0
    copies: int = 0


def clean_count(value, *, label: str) -> tuple[int, str | None]:
    if value in (None, ""):
        return 0, None
    try:
        number = int(str(value).strip())
    except ValueError:
        return 0, f"{label} phải là số nguyên."
    if not 0 <= number <= MAX_COUNT:
        return 0, f"{label} phải từ 0 đến {MAX_COUNT}."
    return number, None


def checklist_problems(papers, checks: dict[int, PaperCheck], *, incomplete: bool) -> dict[str, list[str]]:
    """Field errors of the counter checklist, keyed `papers.<position>`. A received paper has at least one copy
    counted; a required paper not received makes the dossier incomplete (form 02), so it needs `incomplete`."""
    errors: dict[str, list[str]] = {}
    for p in papers:
        check = checks.get(p.position) or PaperCheck()
        key = f"papers.{p.position}"
        if check.received and check.originals + check.copies == 0:
            errors[key] = [f"“{p.name}”: nhập số bản chính hoặc bản sao đã nhận."]
        elif not check.received and (check.originals or check.copies):
            errors[key] = [f"“{p.name}”: đánh dấu đã nhận nếu đã nhận bản chính, bản sao."]
        elif not check.received and paper_required(p.name) and not incomplete:
            errors[key] = [f"Chưa nhận “{p.name}” (bắt buộc): đánh dấu đã nhận, hoặc ghi vào nội dung cần hoàn "
                           "thiện để lập hướng dẫn hoàn thiện hồ sơ (mẫu 02)."]
    return errors
