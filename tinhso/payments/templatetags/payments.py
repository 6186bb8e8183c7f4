"""`{% dossier_bill dossier %}`: the bill box of the dossier page (status, lines, receipt, pay button).

The dossier page includes it so that dossiers need not import this app; the page has already decided that the
viewer may see the dossier, and so its bill.
"""

from django import template

from .. import selectors, services
from ..choices import BillStatus

register = template.Library()


@register.inclusion_tag("payments/_dossier_bill.html", takes_context=True)
def dossier_bill(context, dossier):
    bill = selectors.bill_for_dossier(dossier=dossier)
    if bill is None:
        return {"bill": None}
    user = context.get("user")
    return {
        "bill": bill, "lines": selectors.bill_lines(bill=bill), "token": selectors.bill_token(bill),
        "paid": selectors.confirmed_payment(bill=bill),
        "can_pay": bill.status == BillStatus.UNPAID and bill.total > 0,
        "officer": bool(user is not None and (selectors.can_adjust(user, bill) or selectors.can_collect(user, bill))),
    }


@register.filter
def vnd(amount) -> str:
    """16000 → "16.000 đồng"."""
    return services.money(amount if isinstance(amount, int) else 0)
