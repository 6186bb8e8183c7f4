"""The history import's optional commune column: current communes, communes of before 01/07/2025 (`cu-` or the
bare old code, kept as the historical commune), the ambiguous bare codes, and bad codes refused by line."""

from datetime import date

import pytest
from django.core.management import call_command

from tinhso.core.exceptions import ImportFailed
from tinhso.dossiers.importing import COLUMNS, dossiers_import_content
from tinhso.dossiers.models import Dossier
from tinhso.org.selectors import commune_codes
from tinhso.org.tests.factories import CommuneFactory

from .test_importing import AGENCY, catalogue  # noqa: F401 (fixture)

HEADER = ",".join([*COLUMNS, "commune_code"])
OLD_DAY = date(2025, 6, 30)


def row(code: str, commune: str, month: str = "2024-03") -> str:
    return (f"{code},1.001193,{AGENCY},direct,{month}-04T09:00:00+07:00,{month}-08T09:00:00+07:00,"
            f"{month}-06T10:00:00+07:00,,,resolved,{commune}")


def content(rows: list[str], header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


@pytest.fixture
def old_communes(catalogue):  # noqa: F811
    """Xã Hoằng Đạo (15946) went into Xã Hoằng Hóa (16000); the old commune that carried 16000 went into
    Xã Quảng Xương (16001): 16000 is then a current code and an old one naming different communes."""
    world = catalogue
    district = CommuneFactory(code="cu-399", official_code="399", name="Huyện Hoằng Hóa", level="district",
                              unit_type="district", parent=world.province, valid_to=OLD_DAY)
    dao = CommuneFactory(code="cu-15946", official_code="15946", name="Xã Hoằng Đạo", parent=district,
                         valid_to=OLD_DAY, merged_into=world.commune)
    carrier = CommuneFactory(code="cu-16000", official_code="16000", name="Xã Quảng Bình", parent=district,
                             valid_to=OLD_DAY, merged_into=world.other_commune)
    return world, dao, carrier


def imported(code: str):
    return Dossier.objects.select_related("applicant_unit").get(code=code).applicant_unit


@pytest.mark.smoke
def test_current_and_pre_2025_communes_are_kept_as_named(old_communes):
    world, dao, carrier = old_communes
    rows = [row("C-1", world.other_commune.code), row("C-2", "cu-15946"), row("C-3", "15946"), row("C-4", "CU-16000"),
            row("C-5", "")]
    result = dossiers_import_content(actor=None, content=content(rows), name="xa.csv")

    assert result.created == 5
    assert imported("C-1") == world.other_commune
    assert imported("C-2") == dao and imported("C-3") == dao  # the historical unit, as the old system recorded it
    assert imported("C-4") == carrier
    assert imported("C-5") is None
    assert result.warning_count == 0


@pytest.mark.smoke
def test_a_bare_ambiguous_code_reads_as_the_current_commune_and_is_reported(old_communes, tmp_path, capsys):
    world, _, carrier = old_communes
    rows = [row("A-1", "16000"), row("A-2", "16000", month="2025-09"), row("A-3", "cu-16000")]
    result = dossiers_import_content(actor=None, content=content(rows), name="xa.csv")

    assert imported("A-1") == world.commune and imported("A-2") == world.commune and imported("A-3") == carrier
    # Only the dossier received before the reorganisation can have meant the old commune.
    assert result.warning_count == 1
    (line, message), = result.warnings
    assert line == 2
    assert message == ("mã xã 16000 là mã của Xã Hoằng Hóa (hiện hành), đồng thời là mã của Xã Quảng Bình trước "
                       "01/07/2025 (nay thuộc Xã Quảng Xương); đã ghi là Xã Hoằng Hóa. Nếu là xã cũ, ghi cu-16000.")

    path = tmp_path / "xa.csv"
    path.write_bytes(content([row("A-4", "16000")]))
    call_command("import_dossiers", str(path))
    out = capsys.readouterr().out
    assert "Lưu ý 1 dòng" in out and "Dòng 2: mã xã 16000 là mã của Xã Hoằng Hóa" in out


@pytest.mark.smoke
@pytest.mark.parametrize("code", ["99999", "cu-99999", "399", "cu-399", "38", "Hoằng Hóa"])
def test_an_unknown_code_or_a_non_commune_is_refused_by_line_and_nothing_is_written(old_communes, code):
    world = old_communes[0]
    rows = [row("B-1", world.commune.code), row("B-2", code)]
    with pytest.raises(ImportFailed) as exc:
        dossiers_import_content(actor=None, content=content(rows), name="xa.csv")
    assert exc.value.line_errors == [
        (3, f"không có xã, phường, đặc khu mã “{code}” (mã hiện hành, hoặc mã trước 01/07/2025 dạng cu-12345).")]
    assert not Dossier.objects.exists()


def test_reimport_updates_the_commune_and_a_file_without_the_column_still_imports(old_communes):
    world, dao, _ = old_communes
    dossiers_import_content(actor=None, content=content([row("R-1", "cu-15946")]), name="xa.csv")
    result = dossiers_import_content(actor=None, content=content([row("R-1", world.commune.code)]), name="xa.csv")
    assert (result.created, result.updated) == (0, 1) and imported("R-1") == world.commune
    again = dossiers_import_content(actor=None, content=content([row("R-1", world.commune.code)]), name="xa.csv")
    assert (again.updated, again.unchanged) == (0, 1)
    plain = ",".join(row("R-2", "x").split(",")[:-1])
    assert dossiers_import_content(actor=None, content=content([plain], ",".join(COLUMNS)), name="a.csv").created == 1
    assert imported("R-2") is None


def test_jsonl_takes_the_commune_too(old_communes):
    import json

    line = dict(zip([*COLUMNS, "commune_code"], row("J-1", "cu-15946").split(","), strict=True))
    dossiers_import_content(actor=None, content=(json.dumps(line) + "\n").encode(), name="xa.jsonl")
    assert imported("J-1") == old_communes[1]


def test_commune_codes_knows_successors_and_ambiguity(old_communes):
    world, dao, carrier = old_communes
    codes = commune_codes()
    assert codes.units["16000"] == world.commune.pk and codes.units["cu-16000"] == carrier.pk
    assert codes.units["15946"] == codes.units["cu-15946"] == dao.pk
    assert "399" not in codes.units and "cu-399" not in codes.units
    assert codes.successors[dao.pk] == world.commune.pk and codes.successors[world.commune.pk] == world.commune.pk
    assert codes.ambiguous == {"16000": ("Xã Hoằng Hóa", "Xã Quảng Bình", "Xã Quảng Xương")}


def test_on_the_official_lists_27_bare_codes_are_ambiguous_and_cu_codes_never_are(db):
    from tinhso.org import services
    from tinhso.org.models import AdministrativeUnit

    services.units_load_official(actor=None)
    services.units_load_historical(actor=None)
    codes = commune_codes()
    assert len(codes.ambiguous) == 27
    assert sum(1 for c in codes.units if c.startswith("cu-")) == 10035
    bare = [c for c in codes.units if not c.startswith("cu-")]
    assert len(bare) == len(set(bare)) and len(codes.successors) == 3321 + 10035
    for code in codes.ambiguous:
        old = AdministrativeUnit.objects.get(code=f"cu-{code}")
        assert codes.units[code] == AdministrativeUnit.objects.get(code=code, valid_to__isnull=True).pk
        assert codes.units[f"cu-{code}"] == old.pk and codes.successors[old.pk] == old.merged_into_id
