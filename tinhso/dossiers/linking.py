"""Linking dossiers filed at the counter or by post to the applicant's account, once the account's citizen ID is
proven (e-ID login, or a clerk's check). Online dossiers are already the account's."""

from django.db import transaction

from tinhso.audit.services import audit_record

from .choices import Channel
from .models import Dossier


@transaction.atomic
def applicant_dossiers_link(*, user) -> int:
    if not (user.citizen_id and getattr(user, "citizen_id_verified", False)):
        return 0
    qs = Dossier.objects.filter(applicant_citizen_id=user.citizen_id, applicant_user__isnull=True,
                                channel__in=[Channel.DIRECT, Channel.POSTAL])
    codes = list(qs.values_list("code", flat=True)[:1000])
    linked = qs.update(applicant_user=user)
    if linked:
        audit_record(actor=None, action="dossiers.dossier.link_applicant", obj=user,
                     summary=f"Gắn {linked} hồ sơ nộp trực tiếp/bưu chính mang số định danh của tài khoản "
                             f"{user.username} vào tài khoản.", changes={"dossiers": codes})
    return linked
