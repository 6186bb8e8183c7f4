"""The one declared state machine of a dossier (TT 01/2018/TT-VPCP forms in brackets).

Every change of a dossier's state goes through `services.dossier_transition`, which looks the action up in
`TRANSITIONS`, checks the current state (`sources`), the actor (`actors`) and the guard, and moves the dossier to
`target` (None: the state does not change, e.g. the apology of form 04).

Who acts (`ActorKind`):
- applicant: the citizen who filed it (the logged-in `applicant_user`, or anyone who proved code + phone);
- clerk: a receiving officer (một cửa) of the dossier's receiving agency: receives, refuses, returns results;
- officer: a processing officer or leader of the handling agency: processes, hands over, asks for supplements;
- leader: a leader of the handling agency: approves, rejects, sends back, stops processing.

Work by role: the processing officer submits the result to the leader ("Trình lãnh đạo", status
awaiting_approval, the leaders' "Chờ phê duyệt" tab); the leader approves it or sends it back with a reason. A
leader who handles a dossier themselves may still approve it directly.
Roles come from role assignments on agencies (with their sub-agencies when granted so); administering a unit lets
one see its dossiers (selectors) but not act on them.
"""

from dataclasses import dataclass

from tinhso.accounts import scoping
from tinhso.accounts.choices import Role

from .choices import Status


class ActorKind:
    APPLICANT = "applicant"
    CLERK = "clerk"
    OFFICER = "officer"
    LEADER = "leader"


@dataclass(frozen=True)
class Transition:
    name: str
    label: str                     # the button label
    sources: frozenset
    target: str | None             # None: no state change
    actors: frozenset
    needs_note: bool = False
    needs_agency: bool = False
    needs_date: bool = False
    accepts_files: bool = False
    form: str = ""                 # the official form it produces
    note_label: str = "Ghi chú"
    done_message: str = ""
    at_receiving: bool = False     # done at the one-stop desk (the event's agency is the receiving agency)
    picks_officer: bool = False    # names the officer who will handle the dossier (optional)
    # How the button looks by what it does: "primary" moves the dossier on, "secondary" a side step, "danger"
    # ends it against the applicant's wish (refuse, reject, stop, withdraw): those ask for a reason and a
    # confirmation sentence (`confirm`) before the service accepts them.
    consequence: str = "primary"
    confirm: str = ""

    @property
    def shows_note(self) -> bool:
        """Whether the action's form has a note box (required or optional)."""
        return self.needs_note or self.accepts_files or self.needs_agency or self.name in ("withdraw",
                                                                                             "submit_for_approval")

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.confirm)

    def allows_actor(self, kinds: set[str]) -> bool:
        return bool(self.actors & kinds)


S = Status
A = ActorKind
IN_HAND = frozenset({S.RECEIVED, S.IN_PROGRESS})
OPEN = frozenset({S.RECEIVED, S.IN_PROGRESS, S.AWAITING_APPROVAL, S.SUPPLEMENT_REQUESTED})
DECIDABLE = IN_HAND | {S.AWAITING_APPROVAL}

_TRANSITIONS = [
    Transition("receive", "Tiếp nhận", frozenset({S.SUBMITTED}), S.RECEIVED, frozenset({A.CLERK}),
               form="01", done_message="Đã tiếp nhận hồ sơ.", at_receiving=True),
    Transition("refuse", "Từ chối tiếp nhận", frozenset({S.SUBMITTED}), S.REFUSED, frozenset({A.CLERK}),
               needs_note=True, form="03", note_label="Lý do từ chối", done_message="Đã từ chối tiếp nhận hồ sơ.", at_receiving=True,
               consequence="danger", confirm="Tôi xác nhận từ chối tiếp nhận hồ sơ này."),
    Transition("request_completion", "Hướng dẫn hoàn thiện", frozenset({S.SUBMITTED}), S.COMPLETION_REQUESTED,
               frozenset({A.CLERK}), needs_note=True, form="02",
               note_label="Giấy tờ, nội dung cần hoàn thiện (mỗi dòng một mục)",
               done_message="Đã gửi hướng dẫn hoàn thiện hồ sơ (mẫu 02); hồ sơ chưa được tiếp nhận.",
               at_receiving=True),
    Transition("complete", "Nộp hồ sơ đã hoàn thiện", frozenset({S.COMPLETION_REQUESTED}), S.SUBMITTED,
               frozenset({A.APPLICANT, A.CLERK}), accepts_files=True, note_label="Nội dung đã hoàn thiện",
               done_message="Đã nộp hồ sơ hoàn thiện; hồ sơ chờ tiếp nhận.", at_receiving=True),
    # The one-stop hands a received dossier to the handling agency, and to one of its officers when known
    # (form 06, the process-control slip, follows every hand-over).
    Transition("assign", "Chuyển xử lý", frozenset({S.RECEIVED}), None, frozenset({A.CLERK}),
               needs_agency=True, picks_officer=True, form="06", note_label="Nội dung chuyển",
               done_message="Đã chuyển hồ sơ đến cơ quan, cán bộ xử lý.", at_receiving=True,
               consequence="secondary"),
    Transition("start", "Nhận xử lý", frozenset({S.RECEIVED}), S.IN_PROGRESS, frozenset({A.OFFICER}),
               done_message="Đã nhận xử lý hồ sơ."),
    Transition("hand_over", "Chuyển cơ quan khác", IN_HAND, S.IN_PROGRESS, frozenset({A.OFFICER}),
               needs_agency=True, form="06", note_label="Nội dung chuyển",
               done_message="Đã chuyển hồ sơ sang cơ quan khác.", consequence="secondary"),
    Transition("request_supplement", "Yêu cầu bổ sung", IN_HAND, S.SUPPLEMENT_REQUESTED, frozenset({A.OFFICER}),
               needs_note=True, form="02", note_label="Nội dung cần bổ sung",
               done_message="Đã gửi yêu cầu bổ sung; thời hạn tạm dừng.", consequence="secondary"),
    Transition("supplement", "Nộp bổ sung", frozenset({S.SUPPLEMENT_REQUESTED}), S.IN_PROGRESS,
               frozenset({A.APPLICANT, A.CLERK}), accepts_files=True, note_label="Nội dung bổ sung",
               done_message="Đã nộp bổ sung; thời hạn được tính tiếp.", at_receiving=True),
    Transition("submit_for_approval", "Trình lãnh đạo", IN_HAND, S.AWAITING_APPROVAL, frozenset({A.OFFICER}),
               note_label="Ý kiến đề xuất của cán bộ xử lý",
               done_message="Đã trình lãnh đạo phê duyệt; hồ sơ chờ phê duyệt."),
    Transition("approve", "Phê duyệt", DECIDABLE, S.APPROVED, frozenset({A.LEADER}),
               done_message="Đã phê duyệt hồ sơ."),
    Transition("send_back", "Yêu cầu xử lý lại", frozenset({S.AWAITING_APPROVAL}), S.IN_PROGRESS,
               frozenset({A.LEADER}), needs_note=True, note_label="Lý do yêu cầu xử lý lại",
               done_message="Đã chuyển hồ sơ về cán bộ xử lý để xử lý lại.", consequence="secondary"),
    Transition("reject", "Không giải quyết", DECIDABLE, S.REJECTED, frozenset({A.LEADER}), needs_note=True,
               note_label="Lý do không giải quyết", done_message="Đã ghi nhận không giải quyết hồ sơ.",
               consequence="danger", confirm="Tôi xác nhận không giải quyết hồ sơ này."),
    Transition("issue_result", "Chuyển kết quả", frozenset({S.APPROVED, S.REJECTED}), S.RESULT_ISSUED,
               frozenset({A.OFFICER}), accepts_files=True, note_label="Ghi chú kết quả",
               done_message="Đã chuyển kết quả sang bộ phận một cửa."),
    Transition("return_result", "Trả kết quả", frozenset({S.RESULT_ISSUED}), S.RETURNED, frozenset({A.CLERK}),
               done_message="Đã trả kết quả cho công dân.", at_receiving=True),
    Transition("withdraw", "Rút hồ sơ", frozenset({S.SUBMITTED}) | OPEN, S.WITHDRAWN, frozenset({A.APPLICANT}),
               needs_note=True, note_label="Lý do rút hồ sơ", done_message="Đã rút hồ sơ.", at_receiving=True,
               consequence="danger", confirm="Tôi xác nhận rút hồ sơ; hồ sơ sẽ không được giải quyết tiếp."),
    Transition("stop", "Dừng xử lý", OPEN, S.STOPPED, frozenset({A.LEADER}), needs_note=True, form="05",
               note_label="Lý do dừng xử lý", done_message="Đã dừng xử lý hồ sơ.",
               consequence="danger", confirm="Tôi xác nhận dừng xử lý hồ sơ này."),
    Transition("apologise", "Xin lỗi, hẹn lại", OPEN, None, frozenset({A.OFFICER}), needs_note=True,
               needs_date=True, form="04", note_label="Lý do quá hạn",
               done_message="Đã lập phiếu xin lỗi và hẹn lại ngày trả kết quả.", consequence="secondary"),
]
TRANSITIONS: dict[str, Transition] = {t.name: t for t in _TRANSITIONS}

# Actions recorded as events that are not transitions (the event trail shows them with these labels).
EVENT_LABELS = {t.name: t.label for t in _TRANSITIONS} | {
    "submit": "Nộp hồ sơ trực tuyến",
    "counter_receive": "Tiếp nhận trực tiếp",
    "counter_completion": "Hướng dẫn hoàn thiện tại quầy (mẫu 02)",
    "postal_receive": "Tiếp nhận qua bưu chính",
    "rate": "Đánh giá mức độ hài lòng",
}


def clerk_agency_ids(user) -> set[int]:
    return scoping.agency_ids_with_role(user, {Role.RECEIVING_OFFICER})


def actor_kinds(user, dossier, *, phone_verified: bool = False) -> set[str]:
    """What the user is for this dossier; `phone_verified` when they proved the code + phone pair."""
    kinds: set[str] = set()
    if phone_verified or (getattr(user, "is_authenticated", False) and dossier.applicant_user_id == user.pk):
        kinds.add(A.APPLICANT)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return kinds
    if dossier.receiving_agency_id in clerk_agency_ids(user):
        kinds.add(A.CLERK)
    if dossier.handling_agency_id:
        if dossier.handling_agency_id in scoping.agency_ids_with_role(user, {Role.PROCESSING_OFFICER, Role.AGENCY_LEADER}):
            kinds.add(A.OFFICER)
        if dossier.handling_agency_id in scoping.agency_ids_with_role(user, {Role.AGENCY_LEADER}):
            kinds.add(A.LEADER)
    return kinds


def guard_problem(transition: Transition, dossier) -> str | None:
    """A rule beyond state and role; None when the transition may proceed."""
    if transition.name == "request_supplement" and dossier.supplement_requested_at is not None:
        return "Hồ sơ chỉ được yêu cầu bổ sung một lần (mẫu 02)."
    if transition.name == "request_completion" and dossier.completion_requested_at is not None:
        return "Hồ sơ chỉ được hướng dẫn hoàn thiện một lần trước khi tiếp nhận (mẫu 02)."
    if transition.name == "apologise" and dossier.due_at is None:
        return "Hồ sơ chưa có thời hạn giải quyết."
    return None


def available_transitions(dossier, kinds: set[str]) -> list[Transition]:
    """The actions this actor may take now, in the table's order (rendered as buttons). A leader decides
    themselves, so is not offered to submit to a leader."""
    return [t for t in _TRANSITIONS
            if dossier.status in t.sources and t.allows_actor(kinds) and guard_problem(t, dossier) is None
            and not (t.name == "submit_for_approval" and A.LEADER in kinds)]
