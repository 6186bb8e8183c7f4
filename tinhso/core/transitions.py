"""The checks every declared state machine makes before it changes a record (dossiers, feedback reports).

Each domain declares its own `TRANSITIONS` (action name → a transition with `label`, `sources`, `needs_note`,
`note_label` and `allows_actor(kinds)`) and applies it under its own row lock; these two functions are the rules they
share, so an unknown action, an over-long or missing note, a forbidden actor and a stale page read the same everywhere.
"""
from tinhso.core.exceptions import Conflict, PermissionDenied, ValidationError


def transition_lookup(transitions, action: str, note: str, *, max_note: int):
    """The transition named `action` and the cleaned note, before any lock is taken."""
    transition = transitions.get(action)
    if transition is None:
        raise ValidationError.for_field("action", f"Thao tác “{action}” không tồn tại.")
    note = (note or "").strip()
    if len(note) > max_note:
        raise ValidationError.for_field("note", f"Nội dung quá dài (tối đa {max_note} ký tự).")
    if transition.needs_note and not note:
        raise ValidationError.for_field("note", f"Cần nhập “{transition.note_label}”.")
    return transition, note


def transition_check(transition, kinds, record, *, expected_status: str, noun: str, conflict_message: str) -> None:
    """With the record locked: may these actor kinds take the transition, from the record's current status?

    `expected_status` (the status the actor's page showed) turns any stale action into a Conflict.
    """
    if not transition.allows_actor(kinds):
        raise PermissionDenied(f"Bạn không có quyền “{transition.label}” đối với {noun} này.")
    if (expected_status and record.status != expected_status) or record.status not in transition.sources:
        raise Conflict(f"{conflict_message} (Trạng thái hiện tại: {record.get_status_display()}.)")
