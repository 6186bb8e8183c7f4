"""Times around a dossier's reception that pages and the API show (pure helpers over the model's timestamps).

An online dossier waits for the one-stop's acceptance before the procedure's clock starts (form 01); that wait is
shown on its own, against its own limit (`acceptance_due_at`, see services.acceptance_due_at_for).
"""

from dataclasses import dataclass
from datetime import datetime

from tinhso.core import calendar

from .choices import Channel, Status


@dataclass(frozen=True)
class AcceptanceWait:
    working_hours: float       # office time between the upload and the acceptance (or now, while waiting)
    due_at: datetime | None    # the acceptance limit
    waiting: bool              # not accepted (nor refused, nor withdrawn) yet
    late: bool                 # accepted after the limit, or still waiting past it


def acceptance_wait(dossier, *, now: datetime) -> AcceptanceWait | None:
    """None for counter and postal dossiers, which are received when they are filed."""
    if dossier.channel != Channel.ONLINE:
        return None
    waiting = dossier.status in (Status.SUBMITTED, Status.COMPLETION_REQUESTED)
    ended = dossier.received_at or dossier.refused_at or dossier.withdrawn_at
    until = now if waiting or ended is None else ended
    hours = round(calendar.working_seconds_between(dossier.submitted_at, until) / 3600, 2)
    due = dossier.acceptance_due_at
    late = due is not None and until > due and dossier.status != Status.COMPLETION_REQUESTED
    return AcceptanceWait(working_hours=hours, due_at=due, waiting=waiting, late=late)
