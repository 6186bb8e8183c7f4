from django.db.models import QuerySet

from tinhso.accounts.scoping import is_province_admin
from tinhso.core.exceptions import PermissionDenied

from .models import QuestionLog


def question_log_list(*, actor, helpful: bool | None = None, unsure_only: bool = False) -> QuerySet:
    """The questions asked, newest first, for the province administrator improving synonyms and keywords."""
    if actor is None or not actor.is_authenticated or not is_province_admin(actor):
        raise PermissionDenied("Chỉ quản trị cấp tỉnh được xem nhật ký câu hỏi.")
    qs = QuestionLog.objects.all()
    if helpful is not None:
        qs = qs.filter(helpful=helpful)
    if unsure_only:
        qs = qs.filter(confident=False)
    return qs.order_by("-asked_at", "-id")
