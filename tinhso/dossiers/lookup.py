"""The one-stop looks up a returning applicant by citizen ID (số định danh cá nhân) at the counter.

What comes back fills the counter form: name, birth date, phone, e-mail, address and commune from the latest
dossier of that person the clerk may see (their agencies' dossiers), completed by the account whose citizen ID
is proven (accounts.selectors.verified_citizen). It is a read of personal data, so every lookup is audited
(found or not), with the number partly masked in the log's label.
"""

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from tinhso.accounts import selectors as accounts_selectors
from tinhso.audit.services import audit_record
from tinhso.core.exceptions import PermissionDenied, ValidationError
from tinhso.core.identity import citizen_id_problem

from . import selectors, workflow
from .models import Dossier


@dataclass
class ApplicantFacts:
    name: str = ""
    birth_date: date | None = None
    phone: str = ""
    email: str = ""
    address: str = ""
    unit_code: str = ""
    from_dossier: str = ""          # the dossier the facts come from (its code), if any
    from_account: bool = False      # completed from a verified account

    def initial(self) -> dict:
        """The counter form's fields (birth date as dd/mm/yyyy)."""
        values = {"applicant_name": self.name, "applicant_phone": self.phone, "applicant_email": self.email,
                  "applicant_address": self.address, "applicant_unit_code": self.unit_code,
                  "applicant_birth_date": self.birth_date.strftime("%d/%m/%Y") if self.birth_date else ""}
        return {k: v for k, v in values.items() if v}


def masked(citizen_id: str) -> str:
    return f"{citizen_id[:3]}******{citizen_id[-3:]}" if len(citizen_id) == 12 else "***"


def applicant_lookup(*, actor, citizen_id: str, ip_address: str = "") -> ApplicantFacts | None:
    if not workflow.clerk_agency_ids(actor):
        raise PermissionDenied("Chỉ cán bộ bộ phận một cửa được tra cứu người nộp theo số định danh.")
    citizen_id = (citizen_id or "").strip()
    if problem := citizen_id_problem(citizen_id):
        raise ValidationError.for_field("applicant_citizen_id", problem)
    last = (Dossier.objects.filter(selectors.visible_q(actor), applicant_citizen_id=citizen_id)
            .select_related("applicant_unit").order_by("-submitted_at", "-id").first())
    account = accounts_selectors.verified_citizen(citizen_id=citizen_id)
    facts = None
    if last is not None or account is not None:
        facts = ApplicantFacts()
        if last is not None:
            facts = ApplicantFacts(name=last.applicant_name, birth_date=last.applicant_birth_date,
                                   phone=last.applicant_phone, email=last.applicant_email,
                                   address=last.applicant_address,
                                   unit_code=last.applicant_unit.code if last.applicant_unit else "",
                                   from_dossier=last.code)
        if account is not None:
            facts.from_account = True
            facts.name = facts.name or account.full_name
            facts.phone = facts.phone or account.phone
            facts.email = facts.email or account.email
            if not facts.unit_code and account.unit_id:
                facts.unit_code = account.unit.code
    sources = [s for s in (f"hồ sơ {facts.from_dossier}" if facts and facts.from_dossier else "",
                           "tài khoản đã xác minh" if facts and facts.from_account else "") if s]
    with transaction.atomic():
        audit_record(actor=actor, action="dossiers.applicant.lookup", object_type="dossiers.applicant",
                     object_label=masked(citizen_id), ip_address=ip_address,
                     summary=f"Tra cứu thông tin người nộp theo số định danh {masked(citizen_id)} tại quầy: "
                             + (f"lấy từ {' và '.join(sources)}" if sources else "không tìm thấy"))
    return facts
