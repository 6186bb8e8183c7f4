"""Attack: an administrator creates an account carrying a stranger's citizen ID, has it granted `citizen`, and then
reads and withdraws every counter dossier filed under that ID; and look-alike numbers (fullwidth, Arabic-Indic
digits) pass as citizen IDs.

The citizen ID is checked by one validator (tinhso.core.identity), is unique among accounts, and links a counter or
postal dossier to an account only once proven (e-ID login, or a one-stop clerk's check recorded in the audit).
"""

import os
import sqlite3
from datetime import date

import pytest
import vietnamadminunits
from django.db import IntegrityError, transaction

from tinhso.accounts import services as account_services
from tinhso.accounts.choices import Role
from tinhso.accounts.models import User
from tinhso.accounts.tests.factories import RoleFactory, UserFactory
from tinhso.audit.models import AuditEvent
from tinhso.core.exceptions import Conflict, PermissionDenied, ValidationError
from tinhso.core.identity import BIRTH_PROVINCE_CODES, citizen_id_problem
from tinhso.dossiers import services as dossier_services
from tinhso.dossiers.choices import Channel
from tinhso.dossiers.tests.factories import submission

pytestmark = pytest.mark.smoke
STRANGER_ID = "038190000001"


@pytest.mark.parametrize("value", [
    "０３８１９００００００１",  # fullwidth digits
    "٠٣٨١٩٠٠٠٠٠٠١",  # Arabic-Indic digits
    "03819000000１", "03819000000", "0381900000012", "03819000000a", "038 19000001",
])
def test_look_alike_digits_are_not_a_citizen_id(value):
    assert citizen_id_problem(value) is not None


@pytest.mark.parametrize("prefix", ["000", "003", "005", "097", "099", "100", "999"])
def test_a_prefix_that_is_no_birth_province_is_refused(prefix):
    assert "mã tỉnh" in citizen_id_problem(prefix + "190000001")


def test_a_birth_year_in_the_future_is_refused():
    assert citizen_id_problem("038299000001", today=date(2026, 1, 1)) is not None  # 2099
    assert citizen_id_problem("038225000001", today=date(2026, 1, 1)) is None  # 2025, a boy
    assert citizen_id_problem("038426000001", today=date(2026, 1, 1)) is not None  # 2126


def test_the_birth_province_codes_are_the_63_legacy_provinces():
    folder = os.path.dirname(vietnamadminunits.__file__)
    path = next(os.path.join(root, "dataset.db") for root, _, files in os.walk(folder) if "dataset.db" in files)
    with sqlite3.connect(path) as db:
        codes = {f"{int(code):03d}" for (code,) in db.execute("SELECT DISTINCT provinceCode FROM admin_units_legacy")}
    assert set(BIRTH_PROVINCE_CODES) == codes and len(codes) == 63


@pytest.mark.django_db
def test_accounts_and_dossiers_refuse_fullwidth_digits(world):
    with pytest.raises(ValidationError) as exc:
        account_services.user_create(actor=None, username="gia.mao", password="Chuyen-Doi-So#2026",
                                     citizen_id="０３８１９００００００１")
    assert "citizen_id" in exc.value.field_errors
    with pytest.raises(ValidationError) as exc:
        dossier_services.dossier_submit(actor=world.users["citizen"],
                                        **submission(world, applicant_citizen_id="٠٣٨١٩٠٠٠٠٠٠١"))
    assert "applicant_citizen_id" in exc.value.field_errors


@pytest.mark.django_db
def test_two_accounts_cannot_carry_the_same_citizen_id(world):
    account_services.user_create(actor=None, username="chinh.chu", password="Chuyen-Doi-So#2026",
                                 citizen_id=STRANGER_ID)
    with pytest.raises(ValidationError) as exc:
        account_services.user_create(actor=None, username="ke.mao.danh", password="Chuyen-Doi-So#2026",
                                     citizen_id=STRANGER_ID)
    assert "citizen_id" in exc.value.field_errors
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="ke.mao.danh.2", citizen_id=STRANGER_ID)
    # Empty IDs do not collide.
    User.objects.create(username="khong.so.1")
    User.objects.create(username="khong.so.2")


@pytest.mark.django_db
def test_an_account_with_a_strangers_id_gets_no_counter_dossier(world):
    client = world.client_for("unit_admin")
    response = client.post("/api/v1/users", {"username": "ke.mao.danh", "password": "Chuyen-Doi-So#2026",
                                             "citizen_id": STRANGER_ID}, content_type="application/json")
    assert response.status_code == 201
    impostor = User.objects.get(username="ke.mao.danh")
    assert not impostor.citizen_id_verified
    RoleFactory(user=impostor, role=Role.CITIZEN)  # even if someone grants the role
    dossier = dossier_services.dossier_submit(actor=world.users["receiving_officer"], channel=Channel.DIRECT,
                                              **submission(world, applicant_citizen_id=STRANGER_ID))
    assert dossier.applicant_user is None
    impostor_client = world.client_for("citizen")
    impostor_client.force_login(impostor)
    assert impostor_client.get(f"/api/v1/dossiers/{dossier.code}").status_code == 404
    assert impostor_client.get("/api/v1/dossiers").json()["total"] == 0


@pytest.mark.django_db
def test_a_clerks_check_verifies_the_id_and_links_later_counter_dossiers(world):
    citizen = world.users["citizen"]
    citizen.citizen_id = STRANGER_ID
    citizen.save(update_fields=["citizen_id"])
    clerk = world.client_for("receiving_officer")
    response = clerk.post("/api/v1/users/citizen/citizen-id/verification", {"citizen_id": STRANGER_ID},
                          content_type="application/json")
    assert response.status_code == 200 and response.json()["citizen_id_verified"] is True
    event = AuditEvent.objects.get(action="accounts.citizen_id.verify")
    assert event.actor_id == world.users["receiving_officer"].pk
    dossier = dossier_services.dossier_submit(actor=world.users["receiving_officer"], channel=Channel.POSTAL,
                                              **submission(world))
    assert dossier.applicant_user == citizen


@pytest.mark.django_db
def test_an_administrator_cannot_verify_the_id_of_an_account_they_made(world):
    response = world.client_for("unit_admin").post("/api/v1/users/citizen/citizen-id/verification",
                                                   {"citizen_id": STRANGER_ID}, content_type="application/json")
    assert response.status_code == 403
    assert not User.objects.filter(citizen_id_verified_at__isnull=False).exists()


@pytest.mark.django_db
def test_a_clerk_cannot_verify_a_number_other_than_the_accounts_or_their_own(world):
    citizen = world.users["citizen"]
    citizen.citizen_id = STRANGER_ID
    citizen.save(update_fields=["citizen_id"])
    clerk = world.users["receiving_officer"]
    with pytest.raises(ValidationError):
        account_services.citizen_id_verify(actor=clerk, user=citizen, citizen_id="038190000002")
    with pytest.raises(PermissionDenied):
        account_services.citizen_id_verify(actor=clerk, user=clerk, citizen_id="038190000003")
    other = UserFactory(username="nguoi.khac")
    with pytest.raises(Conflict):  # the number belongs to another account already
        account_services.citizen_id_verify(actor=clerk, user=other, citizen_id=STRANGER_ID)


@pytest.mark.django_db
def test_the_clerks_page_verifies_after_the_card_check(world):
    citizen = world.users["citizen"]
    citizen.citizen_id = STRANGER_ID
    citizen.save(update_fields=["citizen_id"])
    clerk = world.client_for("receiving_officer")
    assert clerk.get("/tai-khoan/xac-minh-dinh-danh/").status_code == 200
    unchecked = clerk.post("/tai-khoan/xac-minh-dinh-danh/", {"username": "citizen", "citizen_id": STRANGER_ID})
    assert "Chỉ xác minh khi đã đối chiếu thẻ CCCD gốc." in unchecked.content.decode()
    response = clerk.post("/tai-khoan/xac-minh-dinh-danh/",
                          {"username": "citizen", "citizen_id": STRANGER_ID, "card_checked": "on"})
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.citizen_id_verified
    assert world.client_for("unit_admin").get("/tai-khoan/xac-minh-dinh-danh/").status_code == 403
