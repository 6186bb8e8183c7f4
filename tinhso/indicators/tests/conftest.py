"""Fixtures of the indicators tests: definitions, the historical seed provinces, a few procedures and dossiers."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from tinhso.indicators.services import definitions_load, published_load
from tinhso.org.choices import UnitLevel, UnitType
from tinhso.org.models import AdministrativeUnit
from tinhso.procedures.models import Procedure, ProcedureField, ProcedurePaper

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=TZ)


def _unit(code, name, short, level=UnitLevel.PROVINCE, **extra):
    unit, _ = AdministrativeUnit.objects.get_or_create(code=code, defaults={
        "official_code": code.removeprefix("cu-"), "name": name, "short_name": short, "level": level,
        "unit_type": UnitType.PROVINCE if level == UnitLevel.PROVINCE else UnitType.DISTRICT, **extra})
    return unit


@pytest.fixture
def seed_units(world):
    """The seed provinces as the registry keeps them: Thái Bình (cu-34) merged into Hưng Yên (33), …"""
    hung_yen = _unit("33", "Tỉnh Hưng Yên", "Hưng Yên", identifier_prefix="H31")
    tuyen_quang = _unit("08", "Tỉnh Tuyên Quang", "Tuyên Quang")
    quang_ninh = _unit("22", "Tỉnh Quảng Ninh", "Quảng Ninh")
    last_day = date(2025, 6, 30)
    units = {
        "33": hung_yen,
        "cu-34": _unit("cu-34", "Tỉnh Thái Bình", "Thái Bình", valid_to=last_day, merged_into=hung_yen),
        "cu-33": _unit("cu-33", "Tỉnh Hưng Yên", "Hưng Yên", valid_to=last_day, merged_into=hung_yen),
        "cu-02": _unit("cu-02", "Tỉnh Hà Giang", "Hà Giang", valid_to=last_day, merged_into=tuyen_quang),
        "cu-22": _unit("cu-22", "Tỉnh Quảng Ninh", "Quảng Ninh", valid_to=last_day, merged_into=quang_ninh),
        "cu-38": _unit("cu-38", "Tỉnh Thanh Hóa", "Thanh Hóa", valid_to=last_day, merged_into=world.province),
    }
    # A historical district of Thái Bình, merged into Hưng Yên too: it must not show as a province predecessor.
    _unit("cu-336", "Huyện Vũ Thư", "Vũ Thư", level=UnitLevel.DISTRICT, parent=units["cu-34"], valid_to=last_day,
          merged_into=hung_yen)
    return units


@pytest.fixture
def definitions(world):
    definitions_load(actor=None)


@pytest.fixture
def published(seed_units, definitions):
    published_load(actor=None)
    return seed_units


def make_procedure(code, agencies, online_level="toan_trinh", complete=True):
    field, _ = ProcedureField.objects.get_or_create(code="ho-tich", defaults={"name": "Hộ tịch"})
    procedure = Procedure.objects.create(
        code=code, name=f"Thủ tục {code}", field=field, levels=["commune"], processing_time=3,
        online_level=online_level, legal_basis=["Luật Hộ tịch"] if complete else [],
        result="Giấy chứng nhận" if complete else "")
    if complete:
        ProcedurePaper.objects.create(procedure=procedure, position=1, name="Tờ khai")
    procedure.agencies.set(agencies)
    return procedure


_counter = {"n": 0}


def make_dossier(*, procedure, agency, channel="online", received=None, resolved=None, timeliness="",
                 handling=None, digitised=False, refused=False, status="received", returned=None, withdrawn=None):
    from tinhso.dossiers.models import Dossier

    _counter["n"] += 1
    received_at = at(received) if received else None
    return Dossier.objects.create(
        code=f"T-{_counter['n']:06d}", procedure=procedure, receiving_agency=agency, handling_agency=handling,
        channel=channel, status=status, applicant_name="Nguyễn Văn A", submitted_at=received_at or at(date.today()),
        received_at=received_at, resolved_at=at(resolved, 15) if resolved else None, timeliness=timeliness,
        has_digitised_attachments=digitised, refused_at=received_at if refused else None,
        returned_at=at(returned, 16) if returned else None, withdrawn_at=at(withdrawn, 11) if withdrawn else None)


@pytest.fixture
def operations(world, definitions):
    """Procedures of the world's agencies, digital-technology teams and dossiers over 2025 and early 2026."""
    from tinhso.org.models import DigitalTechTeam

    p1 = make_procedure("1.001193", [world.commune_committee, world.other_commune_committee])
    p2 = make_procedure("2.000908", [world.commune_committee], online_level="mot_phan")
    p3 = make_procedure("1.000775", [world.justice], online_level="toan_trinh", complete=False)
    p4 = make_procedure("1.002000", [world.health, world.justice], online_level="khong")
    world.commune.village_count, world.other_commune.village_count = 12, 8
    world.commune.save()
    world.other_commune.save()
    for n in range(9):
        DigitalTechTeam.objects.create(unit=world.commune, village=f"Thôn {n + 1}", member_count=5)
    for n in range(3):
        DigitalTechTeam.objects.create(unit=world.other_commune, village=f"Bản {n + 1}", member_count=4)
    DigitalTechTeam.objects.create(unit=world.commune, village="", member_count=9)  # the commune's own team
    cc, oc, justice = world.commune_committee, world.other_commune_committee, world.justice
    specs = [
        # (procedure, agency, channel, received, resolved, timeliness, extra)
        (p1, cc, "online", date(2025, 1, 6), date(2025, 1, 8), "early", {}),
        (p1, cc, "online", date(2025, 1, 20), date(2025, 1, 23), "on_time", {"digitised": True}),
        (p1, cc, "direct", date(2025, 2, 3), date(2025, 2, 12), "late", {"digitised": True}),
        (p2, cc, "direct", date(2025, 3, 3), None, "", {}),
        (p2, cc, "postal", date(2025, 3, 4), date(2025, 3, 5), "early", {"returned": date(2025, 3, 6)}),
        (p1, oc, "online", date(2025, 4, 1), date(2025, 4, 2), "early", {}),
        (p1, oc, "direct", date(2025, 4, 2), None, "", {"refused": True, "status": "refused"}),
        (p1, oc, "direct", date(2025, 6, 30), None, "", {"withdrawn": date(2025, 7, 2), "status": "withdrawn"}),
        (p3, justice, "online", date(2025, 5, 5), date(2025, 5, 20), "on_time", {}),
        (p3, justice, "online", date(2025, 12, 30), date(2026, 1, 5), "early", {}),
        (p4, world.service_centre, "direct", date(2025, 8, 8), date(2025, 8, 20), "late",
         {"handling": world.health}),
        (p3, justice, "direct", date(2026, 1, 10), None, "", {}),
    ]
    dossiers = []
    for procedure, agency, channel, received, resolved, timeliness, extra in specs:
        status = extra.pop("status", "returned" if resolved else "received")
        dossiers.append(make_dossier(procedure=procedure, agency=agency, channel=channel, received=received,
                                     resolved=resolved, timeliness=timeliness, status=status, **extra))
    return dossiers
