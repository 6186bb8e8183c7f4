"""One filter definition for dossier lists, used by the API (`schemas.DossierFilterIn`) and the pages."""

from dataclasses import dataclass, fields
from datetime import datetime

from django.db.models import Q, QuerySet

from tinhso.core import calendar
from tinhso.core.exceptions import ValidationError

from .choices import Channel, Queue, Status

DUE_SOON_WORKING_DAYS = 2
# Waiting on the administration (the clock runs); SUPPLEMENT_REQUESTED is paused, so never overdue.
RUNNING_STATUSES = [Status.RECEIVED, Status.IN_PROGRESS, Status.AWAITING_APPROVAL]


@dataclass
class DossierFilter:
    status: str = ""
    agency: str = ""      # identifier code: dossiers received or handled by this agency
    queue: str = ""
    procedure: str = ""   # procedure code
    channel: str = ""
    search: str = ""      # dossier code (or its start) or applicant name / phone

    @classmethod
    def from_mapping(cls, data) -> "DossierFilter":
        return cls(**{f.name: str(data.get(f.name, "") or "").strip()[:200] for f in fields(cls)})


def queue_q(queue: str, *, now: datetime) -> Q:
    if queue == Queue.NEW:
        return Q(status=Status.SUBMITTED)
    if queue == Queue.PROCESSING:
        return Q(status__in=[Status.RECEIVED, Status.IN_PROGRESS])
    if queue == Queue.AWAITING_APPROVAL:
        return Q(status=Status.AWAITING_APPROVAL)
    if queue == Queue.DUE_SOON:
        limit = calendar.add_working_time(now, days=DUE_SOON_WORKING_DAYS)
        return Q(status__in=RUNNING_STATUSES, due_at__gte=now, due_at__lte=limit)
    if queue == Queue.OVERDUE:
        return Q(status__in=RUNNING_STATUSES, due_at__lt=now)
    if queue == Queue.WAITING:
        return Q(status=Status.SUPPLEMENT_REQUESTED)
    if queue == Queue.TO_RETURN:
        return Q(status=Status.RESULT_ISSUED)
    raise ValidationError.for_field("queue", "Hàng đợi không hợp lệ.")


def apply_filter(qs: QuerySet, f: DossierFilter, *, now: datetime) -> QuerySet:
    if f.status:
        if f.status not in Status.values:
            raise ValidationError.for_field("status", "Trạng thái không hợp lệ.")
        qs = qs.filter(status=f.status)
    if f.channel:
        if f.channel not in Channel.values:
            raise ValidationError.for_field("channel", "Kênh nộp không hợp lệ.")
        qs = qs.filter(channel=f.channel)
    if f.agency:
        code = f.agency.upper()
        qs = qs.filter(Q(receiving_agency__identifier_code=code) | Q(handling_agency__identifier_code=code))
    if f.procedure:
        qs = qs.filter(procedure__code=f.procedure)
    if f.queue:
        qs = qs.filter(queue_q(f.queue, now=now))
    if f.search:
        term = f.search
        qs = qs.filter(Q(code__istartswith=term) | Q(applicant_name__icontains=term)
                       | Q(applicant_phone=term) | Q(code__iendswith=term))
    return qs
