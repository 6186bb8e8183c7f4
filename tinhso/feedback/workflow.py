"""The one declared state machine of a feedback report.

received → verified, or rejected (spam / duplicate, linked to the original / out of scope) → assigned →
in_progress → answered (a public official answer) → closed. Reassignment to another agency needs a reason; the
citizen may reopen an answered or closed report within `TINHSO_FEEDBACK_REOPEN_DAYS` days of the answer.

Who acts (`ActorKind`):
- citizen: the logged-in citizen who filed it, or anyone holding the report's tracking token;
- officer: an officer (any officer role) of the responsible agency, or a province administrator;
- leader: a leader of the responsible agency, or a province administrator.
Every transition goes through `services.report_transition` (row lock, event, audit, notification).
"""

from dataclasses import dataclass

from django.conf import settings

from tinhso.accounts import scoping
from tinhso.accounts.choices import OFFICER_ROLES, Role

from .choices import Status


class ActorKind:
    CITIZEN = "citizen"
    OFFICER = "officer"
    LEADER = "leader"


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset
    target: str
    actors: frozenset
    needs_note: bool = False
    note_label: str = "Ghi chú"
    public: bool = True          # shown on the public timeline
    done_message: str = ""

    def allows_actor(self, kinds: set[str]) -> bool:
        return bool(self.actors & kinds)


S = Status
A = ActorKind
OFFICERS = frozenset({A.OFFICER, A.LEADER})
BEFORE_WORK = frozenset({S.RECEIVED, S.VERIFIED})
IN_HAND = frozenset({S.ASSIGNED, S.IN_PROGRESS})

_TRANSITIONS = [
    Transition("verify", "Xác minh", frozenset({S.RECEIVED}), S.VERIFIED, OFFICERS,
               done_message="Đã xác minh phản ánh."),
    Transition("reject_spam", "Loại: tin rác", BEFORE_WORK, S.REJECTED, OFFICERS, needs_note=True,
               note_label="Lý do", done_message="Đã loại phản ánh (tin rác)."),
    Transition("reject_duplicate", "Loại: trùng phản ánh khác", BEFORE_WORK, S.REJECTED, OFFICERS,
               note_label="Ghi chú", done_message="Đã đánh dấu trùng và liên kết tới phản ánh gốc."),
    Transition("reject_out_of_scope", "Loại: không thuộc phạm vi", BEFORE_WORK, S.REJECTED, OFFICERS,
               needs_note=True, note_label="Lý do, nơi người dân có thể gửi",
               done_message="Đã trả lời: không thuộc phạm vi xử lý."),
    Transition("assign", "Giao xử lý", frozenset({S.VERIFIED}), S.ASSIGNED, OFFICERS,
               done_message="Đã giao xử lý."),
    Transition("reassign", "Chuyển cơ quan khác", IN_HAND | frozenset({S.VERIFIED}), S.ASSIGNED, OFFICERS,
               needs_note=True, note_label="Lý do chuyển", done_message="Đã chuyển phản ánh sang cơ quan khác."),
    Transition("start", "Bắt đầu xử lý", frozenset({S.ASSIGNED}), S.IN_PROGRESS, OFFICERS,
               done_message="Đã nhận xử lý."),
    Transition("answer", "Trả lời chính thức", frozenset({S.IN_PROGRESS}), S.ANSWERED, OFFICERS, needs_note=True,
               note_label="Nội dung trả lời (công khai)", done_message="Đã công bố trả lời chính thức."),
    Transition("close", "Đóng phản ánh", frozenset({S.ANSWERED}), S.CLOSED, OFFICERS | {A.CITIZEN},
               done_message="Đã đóng phản ánh."),
    Transition("reopen", "Mở lại phản ánh", frozenset({S.ANSWERED, S.CLOSED}), S.IN_PROGRESS,
               frozenset({A.CITIZEN}), needs_note=True, note_label="Lý do chưa đồng ý với trả lời",
               done_message="Đã mở lại phản ánh; cơ quan sẽ xử lý tiếp."),
]
TRANSITIONS: dict[str, Transition] = {t.name: t for t in _TRANSITIONS}

EVENT_LABELS = {t.name: t.label for t in _TRANSITIONS} | {
    "submit": "Tiếp nhận phản ánh",
    "hotline": "Tiếp nhận qua đường dây nóng",
    "comment": "Trao đổi",
    "escalate_leader": "Nhắc lãnh đạo cơ quan: sắp đến hạn",
    "escalate_parent": "Báo cơ quan cấp trên: quá hạn",
    "emergency_alert": "Báo cán bộ trực: phản ánh khẩn cấp",
}


def reopen_days() -> int:
    return int(getattr(settings, "TINHSO_FEEDBACK_REOPEN_DAYS", 7))


def officer_agency_ids(user) -> set[int]:
    return scoping.agency_ids_with_role(user, OFFICER_ROLES)


def actor_kinds(user, report, *, token_ok: bool = False) -> set[str]:
    kinds: set[str] = set()
    authenticated = getattr(user, "is_authenticated", False) and user.is_active
    if token_ok or (authenticated and report.citizen_id == user.pk):
        kinds.add(A.CITIZEN)
    if not authenticated:
        return kinds
    if scoping.is_province_admin(user):
        return kinds | {A.OFFICER, A.LEADER}
    if report.agency_id in officer_agency_ids(user):
        kinds.add(A.OFFICER)
    if report.agency_id in scoping.agency_ids_with_role(user, {Role.AGENCY_LEADER}):
        kinds.add(A.LEADER)
    return kinds


def available_transitions(report, kinds: set[str]) -> list[Transition]:
    return [t for t in _TRANSITIONS if report.status in t.sources and t.allows_actor(kinds)]
