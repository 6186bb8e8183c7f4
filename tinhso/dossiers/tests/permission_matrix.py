"""Dossier API routes × personas. The world's procedure is handled by the Department of Justice and received by
the provincial service centre; the citizen persona is the applicant of the dossiers created here."""

from tests.matrix import AUTHENTICATED, EVERYONE, Request, case
from tinhso.dossiers.choices import Status

from .factories import PHONE, make_dossier, submission

# Who sees a dossier received by the service centre and handled by Justice (the commune's administrator and the
# officer of another commune do not; the system client sees only what it filed).
SEES_IT = {"citizen", "receiving_officer", "processing_officer", "agency_leader", "province_admin"}


def _submit(w):
    data = submission(w)
    return Request("/api/v1/dossiers", json=data)


def _detail(w):
    return Request(f"/api/v1/dossiers/{make_dossier(w).code}")


def _events(w):
    return Request(f"/api/v1/dossiers/{make_dossier(w).code}/events")


def _start(w):
    # A received dossier: processing officers and leaders of the handling agency take it.
    return Request(f"/api/v1/dossiers/{make_dossier(w, status=Status.RECEIVED).code}/transitions",
                   json={"action": "start"})


def _rate(w):
    return Request(f"/api/v1/dossiers/{make_dossier(w, status=Status.RETURNED).code}/rating",
                   json={"score": 5, "comment": "Hài lòng"})


def _track(w):
    return Request("/api/v1/dossiers/track", query={"code": make_dossier(w).code, "phone": PHONE})


MATRIX = {
    ("POST", "/api/v1/dossiers"): case(_submit, AUTHENTICATED),
    ("GET", "/api/v1/dossiers"): case(lambda w: Request("/api/v1/dossiers", query={"queue": "new"}),
                                      AUTHENTICATED),
    ("GET", "/api/v1/dossiers/track"): case(_track, EVERYONE),
    ("GET", "/api/v1/dossiers/{code}"): case(_detail, SEES_IT),
    ("GET", "/api/v1/dossiers/{code}/events"): case(_events, SEES_IT),
    ("POST", "/api/v1/dossiers/{code}/transitions"): case(_start, {"processing_officer", "agency_leader"}),
    ("POST", "/api/v1/dossiers/{code}/rating"): case(_rate, {"citizen"}),
}
