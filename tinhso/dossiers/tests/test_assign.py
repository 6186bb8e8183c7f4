"""The one-stop clerk hands a received dossier to the handling agency and, when known, its officer ("Chuyển xử lý",
form 06): audited, in the timeline, and the officer is told."""

import pytest
from django.urls import reverse

from tinhso.accounts.choices import Role
from tinhso.accounts.tests.factories import RoleFactory, UserFactory
from tinhso.audit.models import AuditEvent
from tinhso.core.exceptions import PermissionDenied, ValidationError
from tinhso.dossiers import services
from tinhso.dossiers.choices import Status
from tinhso.notifications.choices import Channel
from tinhso.notifications.models import Notification

from .factories import justice_procedure, make_dossier

pytestmark = pytest.mark.smoke


def _assign(world, dossier, **kwargs):
    return services.dossier_transition(actor=world.users["receiving_officer"], dossier_code=dossier.code,
                                       action="assign", **kwargs)


def test_clerk_hands_the_dossier_to_a_named_officer_who_is_told(world):
    officer = world.users["processing_officer"]
    officer.email = "xuly@example.vn"
    officer.save()
    dossier = make_dossier(world, status=Status.RECEIVED)
    _assign(world, dossier, agency_code=world.justice.identifier_code, assignee="processing.officer",
            note="Hồ sơ đủ thành phần.")
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED and dossier.assignee == officer
    event = dossier.events.get()
    assert (event.action, event.agency, event.to_agency) == ("assign", world.service_centre, world.justice)
    assert event.data["assignee_name"] == officer.display_name
    audit = AuditEvent.objects.get(action="dossiers.dossier.assign", object_id=str(dossier.pk))
    assert audit.changes["assignee"] == [None, "processing.officer"]
    [in_app] = Notification.objects.filter(kind="dossier.assigned", channel=Channel.IN_APP)
    assert in_app.recipient == officer and dossier.code in in_app.subject and "Hồ sơ đủ thành phần." in in_app.body
    assert Notification.objects.filter(kind="dossier.assigned", channel=Channel.EMAIL,
                                       address="xuly@example.vn").exists()
    # The applicant is not bothered with the internal hand-over.
    assert not Notification.objects.filter(recipient=world.users["citizen"]).exists()
    page = world.client_for("processing_officer").get(reverse("dossiers:detail", args=[dossier.code])).content.decode()
    assert "Chuyển xử lý" in page and f"cán bộ xử lý: {officer.display_name}" in page


def test_without_a_named_officer_every_processing_officer_of_the_agency_is_told(world):
    second = UserFactory(username="xu.ly.2", full_name="Trần Văn Hai")
    RoleFactory(user=second, role=Role.PROCESSING_OFFICER, agency=world.justice)
    dossier = make_dossier(world, status=Status.RECEIVED)
    _assign(world, dossier)
    told = set(Notification.objects.filter(kind="dossier.assigned", channel=Channel.IN_APP)
               .values_list("recipient__username", flat=True))
    assert told == {"processing.officer", "xu.ly.2"}


def test_the_clerk_may_correct_the_agency_among_those_performing_the_procedure(world):
    procedure = justice_procedure(world)
    procedure.agencies.add(world.health)
    dossier = make_dossier(world, status=Status.RECEIVED, procedure=procedure)
    _assign(world, dossier, agency_code=world.health.identifier_code)
    dossier.refresh_from_db()
    assert dossier.handling_agency == world.health
    audit = AuditEvent.objects.get(action="dossiers.dossier.assign", object_id=str(dossier.pk))
    assert audit.changes["handling_agency"] == [world.justice.identifier_code, world.health.identifier_code]


def test_wrong_agency_or_officer_is_a_field_error_and_nothing_changes(world):
    dossier = make_dossier(world, status=Status.RECEIVED)
    with pytest.raises(ValidationError) as exc:
        _assign(world, dossier, agency_code=world.other_commune_committee.identifier_code)
    assert "agency_code" in exc.value.field_errors
    with pytest.raises(ValidationError) as exc:
        _assign(world, dossier, assignee="other.unit.officer")
    assert "assignee" in exc.value.field_errors
    dossier.refresh_from_db()
    assert dossier.assignee is None and not dossier.events.exists()


def test_only_the_clerk_hands_over_from_the_counter(world):
    dossier = make_dossier(world, status=Status.RECEIVED)
    with pytest.raises(PermissionDenied):
        services.dossier_transition(actor=world.users["processing_officer"], dossier_code=dossier.code,
                                    action="assign")


def test_the_clerk_picks_agency_and_officer_on_the_dossier_page(world):
    dossier = make_dossier(world, status=Status.RECEIVED)
    clerk = world.client_for("receiving_officer")
    page = clerk.get(reverse("dossiers:detail", args=[dossier.code])).content.decode()
    assert 'data-action="assign"' in page and '<option value="processing.officer">' in page
    response = clerk.post(reverse("dossiers:act", args=[dossier.code]), {
        "action": "assign", "expected_status": "received", "agency_code": world.justice.identifier_code,
        "assignee": "processing.officer"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Đã chuyển hồ sơ đến cơ quan, cán bộ xử lý." in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.assignee == world.users["processing_officer"]
