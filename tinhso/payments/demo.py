"""Bills for the demo, made through the real services: birth-certificate copies (2.000635, paid before
processing) at the first commune — one waiting for payment, one paid online through the simulated VNPAY gateway
(the real redirect/IPN protocol, signed), one paid in cash at the counter, and one held for review because the
gateway reported another amount. Other priced procedures get their bills from the live dossiers' reception."""

from urllib.parse import parse_qsl, urlsplit

from django.test.utils import override_settings

from tinhso.accounts.models import User
from tinhso.dossiers.services import dossier_submit

from . import conf, selectors, services, simulator
from .models import Bill

COPY_CODE = "2.000635"
CITIZEN = {"applicant_name": "Nguyễn Thị Dân", "applicant_citizen_id": "038190000001",
           "applicant_phone": "0912345678", "applicant_address": "Số 12, tổ dân phố 3",
           "applicant_email": "congdan@example.vn"}


def _copy_request(citizen, *, commune_code: str, agency_code: str, copies: int) -> Bill | None:
    dossier = dossier_submit(actor=citizen, procedure_code=COPY_CODE, applicant_unit_code=commune_code,
                             agency_code=agency_code, form_data={
                                 "record_type": "Khai sinh", "subject_full_name": "Nguyễn Văn An",
                                 "registration_year": 2015, "copies_count": copies}, **CITIZEN)
    return Bill.objects.filter(dossier=dossier).first()


def _pay_online(citizen, bill: Bill, *, amount_reported: int | None = None) -> None:
    """What a payer's browser and the gateway do, with the simulator's key: open, pay, IPN."""
    _, url = services.online_start(actor=citizen, bill=bill, ip_address="127.0.0.1",
                                   return_url=conf.public_url("/thanh-toan/vnpay/tra-ve/"))
    request = dict(parse_qsl(urlsplit(url).query))
    services.online_confirm(params=simulator.result_params(request, secret=conf.simulator_secret(),
                                                           amount=amount_reported))


def create_demo_payments(*, commune_code: str, commune_committee) -> int:
    users = {u.username: u for u in User.objects.filter(username__in=["congdan", "motcua.xa"])}
    citizen, clerk = users.get("congdan"), users.get("motcua.xa")
    if citizen is None or not commune_committee.procedures.filter(code=COPY_CODE).exists():
        return 0
    kwargs = {"commune_code": commune_code, "agency_code": commune_committee.identifier_code}
    made = 0
    if _copy_request(citizen, copies=2, **kwargs):  # waits for the citizen to pay
        made += 1
    with override_settings(TINHSO_VNPAY_SIMULATOR="1", TINHSO_VNPAY_URL=""):
        if conf.simulator_enabled():
            if bill := _copy_request(citizen, copies=1, **kwargs):
                _pay_online(citizen, bill)
                made += 1
            if bill := _copy_request(citizen, copies=3, **kwargs):
                _pay_online(citizen, bill, amount_reported=bill.total - 8000)  # held for review
                made += 1
    bill = _copy_request(citizen, copies=1, **kwargs) if clerk is not None else None
    if bill is not None and selectors.can_collect(clerk, bill):
        services.counter_pay(actor=clerk, bill_id=bill.pk, method="cash", amount=bill.total,
                             note="Thu tiền mặt tại bộ phận một cửa xã")
        made += 1
    return made
