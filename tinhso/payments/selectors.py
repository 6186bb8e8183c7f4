"""Every read about bills and payments, scoped to the acting user.

A bill is seen by whoever may see its dossier (dossiers.selectors); anyone holding the bill's signed payment link
(sent in the notice) sees that bill's payment page. The receiving one-stop's clerks collect at the counter and
review held payments of their agency; officers handling the dossier may adjust the bill; the province
administrator reviews every held payment and runs the reconciliation.
"""

from django.core import signing
from django.db.models import QuerySet

from tinhso.accounts import scoping
from tinhso.core.exceptions import NotFound
from tinhso.dossiers import selectors as dossier_selectors
from tinhso.dossiers import workflow
from tinhso.dossiers.models import Dossier

from .choices import PaymentStatus
from .models import Bill, Payment

NOT_FOUND = "Không tìm thấy hóa đơn phí, lệ phí."
TOKEN_SALT = "tinhso.payments.bill"


def _bills() -> QuerySet:
    return Bill.objects.select_related("dossier", "procedure", "agency", "dossier__procedure",
                                       "dossier__receiving_agency")


def bill_token(bill: Bill) -> str:
    """The signed key of the payment link sent to the applicant (it reveals nothing and cannot be guessed)."""
    return signing.dumps(bill.pk, salt=TOKEN_SALT, compress=True)


def bill_by_token(token: str) -> Bill:
    try:
        bill_id = signing.loads(token or "", salt=TOKEN_SALT)
    except signing.BadSignature:
        raise NotFound(NOT_FOUND) from None
    bill = _bills().filter(pk=bill_id).first() if isinstance(bill_id, int) else None
    if bill is None:
        raise NotFound(NOT_FOUND)
    return bill


def can_view(user, bill: Bill) -> bool:
    return dossier_selectors.can_view(user, bill.dossier)


def bill_get(*, user, bill_id: int) -> Bill:
    bill = _bills().filter(pk=bill_id).first()
    if bill is None or not can_view(user, bill):
        raise NotFound(NOT_FOUND)
    return bill


def bill_for_dossier(*, dossier) -> Bill | None:
    return _bills().filter(dossier=dossier).first()


def bill_list(*, user, dossier_code: str = "", status: str = "") -> QuerySet:
    q = dossier_selectors.visible_q(user)
    if q is None:
        return Bill.objects.none()
    visible = Dossier.objects.filter(q).values("pk")
    bills = _bills().filter(dossier__in=visible)
    if dossier_code:
        bills = bills.filter(dossier__code=dossier_code.strip())
    if status:
        bills = bills.filter(status=status)
    return bills.order_by("-issued_at", "-id")


def bill_lines(*, bill: Bill) -> QuerySet:
    return bill.lines.order_by("position")


def bill_payments(*, bill: Bill) -> QuerySet:
    return bill.payments.order_by("-created_at", "-id")


def confirmed_payment(*, bill: Bill) -> Payment | None:
    return bill.payments.filter(status=PaymentStatus.CONFIRMED).first()


def can_collect(user, bill: Bill) -> bool:
    """A receiving clerk (một cửa) of the bill's collecting agency."""
    return bool(getattr(user, "is_authenticated", False)) and bill.agency_id in workflow.clerk_agency_ids(user)


def can_adjust(user, bill: Bill) -> bool:
    kinds = workflow.actor_kinds(user, bill.dossier)
    return bool(kinds & {workflow.ActorKind.CLERK, workflow.ActorKind.OFFICER, workflow.ActorKind.LEADER})


def can_review(user, bill: Bill) -> bool:
    return can_collect(user, bill) or can_reconcile(user)


def can_reconcile(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and scoping.is_province_admin(user)


def is_applicant(user, bill: Bill) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bill.dossier.applicant_user_id == user.pk


def held_payments(*, user) -> QuerySet:
    """Payments held for review (amount or bill mismatch) the user may decide on."""
    payments = Payment.objects.filter(status=PaymentStatus.HELD).select_related("bill", "bill__dossier",
                                                                                 "bill__agency")
    if can_reconcile(user):
        return payments.order_by("created_at", "id")
    if not getattr(user, "is_authenticated", False):
        return Payment.objects.none()
    return payments.filter(bill__agency_id__in=workflow.clerk_agency_ids(user)).order_by("created_at", "id")


def payment_by_reference(*, reference: str) -> Payment | None:
    return Payment.objects.select_related("bill", "bill__dossier").filter(reference=(reference or "")[:40]).first()


def online_payment_by_field(*, user, year: int) -> list[dict]:
    """Per field of the catalogue, over the agencies the user sees: dossiers with fees, those paid online, the
    share and the amount paid online in the year (the same measures the indicators read)."""
    from datetime import date

    from tinhso.procedures.models import ProcedureField

    from . import measures

    agency_ids = scoping.agency_ids_for(user) if getattr(user, "is_authenticated", False) else set()
    if not agency_ids:
        return []
    start, end = date(year, 1, 1), date(year, 12, 31)
    shares = measures.online_paid_share_by_field(start=start, end=end, agency_ids=agency_ids)
    amounts = measures.amount_paid_online_by_field(start=start, end=end, agency_ids=agency_ids)
    names = dict(ProcedureField.objects.filter(pk__in=set(shares) | set(amounts)).values_list("pk", "name"))
    rows = []
    for field_id in sorted(set(shares) | set(amounts), key=lambda f: names.get(f, "")):
        online, total = shares.get(field_id, (0, 0))
        rows.append({"field": names.get(field_id, "—"), "billed": total, "online": online,
                     "share": round(100 * online / total, 1) if total else None,
                     "amount": amounts.get(field_id, 0)})
    return rows
