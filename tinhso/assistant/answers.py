"""Answers to procedure questions, composed only of catalogue facts, each citing its procedure's page.

The assistant asks the catalogue's retrieval engine (`tinhso.procedures.search`) which procedures a question
is about and what the citizen wants to know (papers, fees, time, where, online), then states those facts as the
catalogue has them. It states nothing the catalogue lacks: a missing fact is said to be missing, and when the
question fits several procedures about as well it says it is unsure and offers the best matches.
"""

from dataclasses import dataclass, field

from django.urls import reverse

from tinhso.core.exceptions import NotFound
from tinhso.core.numbers import vn_number
from tinhso.procedures import search, selectors
from tinhso.procedures.choices import ImplementingLevel, OnlineLevel
from tinhso.procedures.models import Procedure

MATCHES = 3
CONFIDENT_COVERAGE = 0.75
CONFIDENT_LEAD = 1.1       # the best procedure must score this much above the second to be the answer
SHOWN_AGENCIES = 3
OVERVIEW = [search.Intent.TIME, search.Intent.FEES, search.Intent.ONLINE, search.Intent.WHERE, search.Intent.PAPERS]
LABELS = {
    search.Intent.PAPERS: "Thành phần hồ sơ", search.Intent.FEES: "Phí, lệ phí",
    search.Intent.TIME: "Thời hạn giải quyết", search.Intent.WHERE: "Nơi nộp hồ sơ",
    search.Intent.ONLINE: "Nộp trực tuyến", search.Intent.STEPS: "Trình tự thực hiện",
    search.Intent.RESULT: "Kết quả",
}


@dataclass
class Fact:
    intent: str
    label: str
    text: str
    items: list[str]
    procedure_code: str
    procedure_url: str
    link_label: str = ""
    link_url: str = ""


@dataclass
class Match:
    code: str
    name: str
    field: str
    url: str


@dataclass
class Answer:
    question: str
    intents: list[str]
    confident: bool
    subject: Match | None                     # the procedure the answer is about (the context of a follow-up)
    text: str
    facts: list[Fact] = field(default_factory=list)
    matches: list[Match] = field(default_factory=list)
    follow_up: bool = False


def _url(code: str) -> str:
    return reverse("procedures:detail", args=[code])


def _match(code: str, name: str, field_name: str) -> Match:
    return Match(code=code, name=name, field=field_name, url=_url(code))


def _fee(p: Procedure) -> tuple[str, list[str]]:
    if p.fee_text:
        return p.fee_text.rstrip(".") + ".", []
    if p.fee_amount:
        return f"{vn_number(p.fee_amount)} đồng.", []
    return "Danh mục chưa ghi phí, lệ phí của thủ tục này; hãy hỏi Bộ phận Một cửa.", []


def _time(p: Procedure) -> tuple[str, list[str]]:
    if p.processing_time_unit == "same_day":
        return "Giải quyết trong ngày làm việc (nhận sau 15 giờ thì trả trong ngày làm việc tiếp theo).", []
    return f"{p.processing_time} {p.get_processing_time_unit_display()} kể từ khi nhận đủ hồ sơ hợp lệ.", []


def _papers(p: Procedure) -> tuple[str, list[str]]:
    papers = list(p.papers.all())
    if not papers:
        return "Danh mục chưa ghi thành phần hồ sơ của thủ tục này; hãy hỏi Bộ phận Một cửa.", []
    items = []
    for paper in papers:
        counts = [f"{paper.originals} bản chính"] if paper.originals else []
        counts += [f"{paper.copies} bản sao"] if paper.copies else []
        items.append(paper.name + (f" ({', '.join(counts)})" if counts else ""))
    return f"Hồ sơ gồm {len(items)} loại giấy tờ:", items


def _where(p: Procedure) -> tuple[str, list[str]]:
    levels = [ImplementingLevel(v).label.lower() for v in p.levels if v in ImplementingLevel.values]
    agencies = [a.name for a in p.agencies.all()]
    if not agencies:
        return (f"Thủ tục {', '.join(levels)}; danh mục chưa ghi cơ quan thực hiện trên địa bàn." if levels
                else "Danh mục chưa ghi cơ quan thực hiện của thủ tục này."), []
    text = f"Nộp tại Bộ phận Một cửa của cơ quan thực hiện ({', '.join(levels)})" if levels else \
        "Nộp tại Bộ phận Một cửa của cơ quan thực hiện"
    shown = agencies[:SHOWN_AGENCIES]
    if len(agencies) > SHOWN_AGENCIES:
        shown.append(f"và {len(agencies) - SHOWN_AGENCIES} cơ quan khác (xem trang thủ tục)")
    return text + ":", shown


def _online(p: Procedure) -> tuple[str, list[str]]:
    if p.online_level == OnlineLevel.FULL:
        return "Làm trực tuyến toàn trình được: nộp hồ sơ, theo dõi và nhận kết quả trực tuyến.", []
    if p.online_level == OnlineLevel.PARTIAL:
        return "Nộp hồ sơ trực tuyến được (một phần); kết quả nhận trực tiếp hoặc qua bưu chính.", []
    return "Thủ tục này chưa nộp trực tuyến được: nộp trực tiếp hoặc qua dịch vụ bưu chính công ích.", []


def _steps(p: Procedure) -> tuple[str, list[str]]:
    steps, generic = selectors.procedure_steps(p)
    return ("Trình tự chung của Bộ phận Một cửa:" if generic else "Trình tự thực hiện:"), steps


def _result(p: Procedure) -> tuple[str, list[str]]:
    if p.result:
        return p.result.rstrip(".") + ".", []
    return "Danh mục chưa ghi kết quả của thủ tục này.", []


_FACTS = {search.Intent.PAPERS: _papers, search.Intent.FEES: _fee, search.Intent.TIME: _time,
          search.Intent.WHERE: _where, search.Intent.ONLINE: _online, search.Intent.STEPS: _steps,
          search.Intent.RESULT: _result}


def facts_for(procedure: Procedure, intents: list[str]) -> list[Fact]:
    facts = []
    for intent in intents or OVERVIEW:
        text, items = _FACTS[intent](procedure)
        fact = Fact(intent=intent, label=LABELS[intent], text=text, items=items, procedure_code=procedure.code,
                    procedure_url=_url(procedure.code))
        if intent == search.Intent.ONLINE and procedure.online_level != OnlineLevel.NONE:
            fact.link_label, fact.link_url = "Nộp hồ sơ trực tuyến", reverse("dossiers:submit", args=[procedure.code])
        facts.append(fact)
    return facts


def _compose(subject: Procedure, facts: list[Fact]) -> str:
    lines = [f"Thủ tục “{subject.name}” (mã {subject.code}):"]
    for fact in facts:
        lines.append(f"- {fact.label}: {fact.text}" + "".join(f"\n    • {item}" for item in fact.items))
    lines.append(f"Nguồn: danh mục thủ tục hành chính, {_url(subject.code)}")
    return "\n".join(lines)


def _specialises(best: search.Hit, rival: search.Hit) -> bool:
    """A rival close to the best match does not make the answer unsure when it is a special case of it: its name
    holds every word of the best one's and more ("Đăng ký khai sinh" → "Đăng ký khai sinh cho người đã có hồ
    sơ…", "Đăng ký kết hôn có yếu tố nước ngoài"), words the question did not use since the rival ranks lower."""
    general, special = set(best.row.name_words), set(rival.row.name_words)
    return general < special


def answer(question: str, *, context_code: str = "") -> Answer:
    """The answer to one question; `context_code` is the procedure of the previous answer (a follow-up)."""
    question = (question or "").strip()
    result = search.search(question)
    intents = result.query.intents
    if context_code and not result.query.has_terms:
        try:
            subject = selectors.procedure_get(code=context_code)
        except NotFound:
            subject = None
        if subject is not None:
            facts = facts_for(subject, intents)
            return Answer(question=question, intents=intents, confident=True, follow_up=True,
                          subject=_match(subject.code, subject.name, subject.field.name),
                          text=_compose(subject, facts), facts=facts,
                          matches=[_match(subject.code, subject.name, subject.field.name)])
    hits = result.hits or result.close
    matches = [_match(h.row.code, h.row.name, h.row.field_name) for h in hits[:MATCHES]]
    confident = bool(result.hits) and result.hits[0].coverage >= CONFIDENT_COVERAGE and all(
        _specialises(result.hits[0], rival) for rival in result.hits[1:]
        if result.hits[0].score < CONFIDENT_LEAD * rival.score)
    if not matches:
        return Answer(question=question, intents=intents, confident=False, subject=None,
                      text="Tôi chưa tìm thấy thủ tục nào trong danh mục khớp với câu hỏi. Hãy hỏi bằng tên việc "
                           "cần làm, ví dụ “đăng ký khai sinh cần giấy tờ gì”, hoặc xem danh mục theo lĩnh vực.")
    if not confident:
        listing = "\n".join(f"- {m.name} (mã {m.code}): {m.url}" for m in matches)
        return Answer(question=question, intents=intents, confident=False, subject=None, matches=matches,
                      text="Tôi chưa chắc bạn hỏi thủ tục nào. Các thủ tục gần nhất với câu hỏi:\n" + listing
                           + "\nHãy chọn một thủ tục hoặc hỏi rõ hơn.")
    subject = selectors.procedure_get(code=matches[0].code)
    facts = facts_for(subject, intents)
    return Answer(question=question, intents=intents, confident=True, subject=matches[0], matches=matches,
                  text=_compose(subject, facts), facts=facts)
