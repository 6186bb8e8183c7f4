"""Every write to the unit registry: official loads, agencies (one by one or by CSV), digital-technology teams."""

import io
from datetime import date

from django.db import IntegrityError, transaction

from tinhso.audit.services import Entry, audit_record, audit_record_many, diff, object_ref
from tinhso.core.exceptions import Conflict, ImportFailed, NotFound, PermissionDenied, ValidationError
from tinhso.core.exports import SafeDictReader, csv_writer
from tinhso.core.text import fold

from . import official_data
from .choices import AgencyKind, UnitLevel, UnitType
from .data.province_identifiers import CURRENT_PROVINCE_PREFIX, LEGACY_PROVINCE_PREFIX
from .identifiers import identifier_problem
from .models import AdministrativeUnit, Agency, DigitalTechTeam

REORGANISATION_DATE = date(2025, 7, 1)
LAST_DAY_BEFORE_REORGANISATION = date(2025, 6, 30)
AGENCY_CSV_COLUMNS = ["identifier_code", "name", "short_name", "kind", "unit_code", "parent_identifier_code",
                      "address", "phone", "email", "is_active"]


def _require(actor, perm: str, obj=None, message: str = "Bạn không có quyền thực hiện thao tác này.") -> None:
    """Role rules live in the accounts app's permission backend; org asks through Django's has_perm."""
    if actor is None:  # system jobs (commands run by the operator)
        return
    if not actor.has_perm(perm, obj):
        raise PermissionDenied(message)


# --- administrative units -------------------------------------------------------------------------------------

_UNIT_FIELDS = ["official_code", "name", "short_name", "level", "unit_type", "parent", "valid_from", "latitude",
                "longitude", "area_km2", "identifier_prefix", "search_key", "name_key", "short_key"]


@transaction.atomic
def units_load_official(*, actor=None) -> dict[str, int]:
    """Create or update the 34 provinces and 3,321 communes from the final official list (idempotent, bulk).

    Rows a database loaded earlier under the draft codes of `vietnam-provinces` are first re-keyed to the
    final codes (see `units_rekey_to_final_codes`), so what points at them (by id) keeps pointing at them.
    """
    rekeyed = units_rekey_to_final_codes(actor=actor)
    official = official_data.current_units()
    existing = {u.code: u for u in AdministrativeUnit.objects.filter(code__in=[o.code for o in official])}
    to_create, to_update = [], []
    for level in (UnitLevel.PROVINCE, UnitLevel.COMMUNE):  # provinces first, so parents have ids
        batch_new, batch_changed = [], []
        for item in (o for o in official if o.level == level):
            unit = existing.get(item.code) or AdministrativeUnit(code=item.code)
            fields = {
                "official_code": item.code, "name": item.name, "short_name": item.short_name, "level": item.level,
                "unit_type": item.unit_type, "parent_id": existing[item.parent_code].pk if item.parent_code else None,
                "valid_from": REORGANISATION_DATE, "latitude": item.latitude, "longitude": item.longitude,
                "area_km2": item.area_km2,
                "identifier_prefix": CURRENT_PROVINCE_PREFIX.get(item.code, "") if level == UnitLevel.PROVINCE
                else "",
            }
            if unit.pk is not None and all(getattr(unit, k) == v for k, v in fields.items()):
                continue
            for k, v in fields.items():
                setattr(unit, k, v)
            unit.refresh_keys()
            (batch_changed if unit.pk else batch_new).append(unit)
        AdministrativeUnit.objects.bulk_create(batch_new, batch_size=1000)
        if not all(u.pk for u in batch_new):  # backends that do not return ids (none we support, but be safe)
            ids = dict(AdministrativeUnit.objects.filter(code__in=[u.code for u in batch_new])
                       .values_list("code", "id"))
            for u in batch_new:
                u.pk = ids[u.code]
        AdministrativeUnit.objects.bulk_update(batch_changed, _UNIT_FIELDS, batch_size=1000)
        for unit in batch_new:
            existing[unit.code] = unit
        to_create += batch_new
        to_update += batch_changed
    entries = [Entry(action="org.unit.create", summary=f"Nạp từ danh mục chính thức: {u.name}", **object_ref(u))
               for u in to_create]
    entries += [Entry(action="org.unit.update", summary=f"Nạp từ danh mục chính thức: {u.name}", **object_ref(u))
                for u in to_update]
    audit_record_many(actor=actor, entries=entries)
    return {"created": len(to_create), "updated": len(to_update), "rekeyed": rekeyed, "total": len(official)}


@transaction.atomic
def units_rekey_to_final_codes(*, actor=None) -> int:
    """Give current communes loaded under a draft GSO code their final code (Công văn 1027/CTK-CSCL).

    Only rows that still carry the draft code *and* the draft name for it are touched, so running it twice, or
    on a database loaded from the final list, changes nothing. Foreign keys point at ids, so dossiers, agencies,
    roles and figures follow; codes are swapped through temporary values because some rotated between
    neighbours. Returns the number of communes re-keyed.
    """
    plan = official_data.draft_rekey_plan()
    rows = [u for u in AdministrativeUnit.objects.filter(code__in=plan, level=UnitLevel.COMMUNE,
                                                         valid_to__isnull=True)
            if fold(u.name) == plan[u.code][1]]
    if not rows:
        return 0
    old_codes = {u.pk: u.code for u in rows}
    for u in rows:
        u.code = f"tmp-{u.pk}"
    AdministrativeUnit.objects.bulk_update(rows, ["code"])
    for u in rows:
        u.code = u.official_code = plan[old_codes[u.pk]][0]
    AdministrativeUnit.objects.bulk_update(rows, ["code", "official_code"])
    audit_record_many(actor=actor, entries=[
        Entry(action="org.unit.update", summary=f"Đổi mã theo danh mục chính thức của GSO: {u.name}",
              changes={"code": [old_codes[u.pk], u.code]}, **object_ref(u)) for u in rows])
    return len(rows)


_HISTORICAL_FIELDS = ["official_code", "name", "short_name", "level", "unit_type", "parent", "valid_to",
                      "merged_into", "latitude", "longitude", "identifier_prefix", "search_key", "name_key",
                      "short_key"]


@transaction.atomic
def units_load_historical(*, actor=None, legacy_codes: list[str] | None = None) -> dict[str, int]:
    """The units of 30/06/2025 (63 provinces, 696 districts, 10,035 communes), valid until that day.

    Provinces and districts are merged into their successor province, communes into the 2025 commune they
    became (part of). Codes are `cu-` + the GSO code. Idempotent and bulk: one read of what exists, one insert
    per level, one audit event per province.
    """
    legacy = official_data.legacy_provinces()
    codes = legacy_codes or sorted(legacy)
    unknown = [c for c in codes if c not in legacy]
    if unknown:
        raise ValidationError.for_field("legacy_codes", f"Không có tỉnh cũ mã {', '.join(unknown)}.")
    wanted = [legacy[c] for c in codes]
    successor_codes = {lp.successor_code for lp in wanted} | {c.successor_code for lp in wanted for c in lp.communes}
    current = dict(AdministrativeUnit.objects.filter(code__in=successor_codes, valid_to__isnull=True)
                   .values_list("code", "id"))
    for lp in wanted:
        missing = {lp.successor_code} | {c.successor_code for c in lp.communes}
        if missing - current.keys():
            raise NotFound(f"Chưa có đơn vị kế thừa của {lp.name}: hãy nạp danh mục đơn vị hiện hành trước.")
    existing = {u.code: u for u in AdministrativeUnit.objects.filter(
        code__in=[f"cu-{lp.code}" for lp in wanted] + [f"cu-{d.code}" for lp in wanted for d in lp.districts]
        + [f"cu-{c.unit.code}" for lp in wanted for c in lp.communes])}
    counts = {lp.code: [0, 0] for lp in wanted}  # created, updated

    def plan(level_rows):
        """level_rows: (province code, OfficialUnit-like fields) → objects to insert and to update."""
        new, changed = [], []
        for pcode, code, fields in level_rows:
            unit = existing.get(code) or AdministrativeUnit(code=code)
            if unit.pk is not None and all(getattr(unit, k) == v for k, v in fields.items()):
                continue
            for k, v in fields.items():
                setattr(unit, k, v)
            unit.refresh_keys()
            (changed if unit.pk else new).append(unit)
            counts[pcode][0 if unit.pk is None else 1] += 1
        AdministrativeUnit.objects.bulk_create(new, batch_size=2000)
        AdministrativeUnit.objects.bulk_update(changed, _HISTORICAL_FIELDS, batch_size=2000)
        existing.update({u.code: u for u in new})

    def fields(item, parent_code, successor_id, **extra):
        return {"official_code": item.code, "name": item.name, "short_name": item.short_name, "level": item.level,
                "unit_type": item.unit_type, "parent_id": existing[parent_code].pk if parent_code else None,
                "valid_to": LAST_DAY_BEFORE_REORGANISATION, "merged_into_id": successor_id,
                "latitude": item.latitude, "longitude": item.longitude, "identifier_prefix": "", **extra}

    plan([(lp.code, f"cu-{lp.code}", fields(
        official_data.OfficialUnit(lp.code, lp.name, lp.short_name, UnitLevel.PROVINCE,
                                   UnitType.CENTRAL_CITY if lp.name.startswith("Thành phố") else UnitType.PROVINCE,
                                   None, lp.latitude, lp.longitude),
        None, current[lp.successor_code], identifier_prefix=LEGACY_PROVINCE_PREFIX.get(lp.code, "")))
        for lp in wanted])
    plan([(lp.code, f"cu-{d.code}", fields(d, f"cu-{lp.code}", current[lp.successor_code]))
          for lp in wanted for d in lp.districts])
    plan([(lp.code, f"cu-{c.unit.code}", fields(c.unit, f"cu-{c.unit.parent_code}", current[c.successor_code]))
          for lp in wanted for c in lp.communes])
    audit_record_many(actor=actor, entries=[
        Entry(action="org.unit.load", summary=f"Nạp đơn vị trước 01/07/2025 của {lp.name}: {created} mới, "
              f"{updated} cập nhật", changes={"created": [0, created], "updated": [0, updated]},
              **object_ref(existing[f"cu-{lp.code}"]))
        for lp in wanted for created, updated in [counts[lp.code]] if created or updated])
    return {"created": sum(c for c, _ in counts.values()), "updated": sum(u for _, u in counts.values()),
            "provinces": len(codes)}


@transaction.atomic
def unit_set_village_count(*, actor, unit: AdministrativeUnit, village_count: int) -> AdministrativeUnit:
    _require(actor, "org.manage_unit", unit)
    if village_count < 0:
        raise ValidationError.for_field("village_count", "Số thôn, tổ dân phố không được âm.")
    before = unit.village_count
    unit.village_count = village_count
    unit.save(update_fields=["village_count"])
    audit_record(actor=actor, action="org.unit.update", obj=unit, summary="Cập nhật số thôn, tổ dân phố",
                 changes={"village_count": [before, village_count]})
    return unit


# --- agencies ---------------------------------------------------------------------------------------------------

def _unit_by_code(code: str, field: str = "unit_code") -> AdministrativeUnit:
    unit = AdministrativeUnit.objects.filter(code=(code or "").strip()).first()
    if unit is None:
        raise ValidationError.for_field(field, f"Không có đơn vị hành chính mã “{code}”.")
    if not unit.is_current:
        raise ValidationError.for_field(field, f"{unit} không còn tồn tại; hãy chọn đơn vị hiện hành.")
    return unit


def _agency_by_code(code: str, field: str = "parent_identifier_code") -> Agency:
    agency = Agency.objects.filter(identifier_code=(code or "").strip().upper()).first()
    if agency is None:
        raise ValidationError.for_field(field, f"Không có cơ quan mã định danh “{code}”.")
    return agency


def _agency_fields(data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    name = (data.get("name") or "").strip()
    if not name:
        errors.setdefault("name", []).append("Tên cơ quan không được để trống.")
    kind = data.get("kind") or ""
    if kind not in AgencyKind.values:
        errors.setdefault("kind", []).append(f"Loại cơ quan “{kind}” không hợp lệ.")
    code = (data.get("identifier_code") or "").strip().upper()
    problem = identifier_problem(code)
    if problem:
        errors.setdefault("identifier_code", []).append(problem)
    unit = parent = None
    try:
        unit = _unit_by_code(data.get("unit_code", ""))
    except ValidationError as exc:
        errors.update(exc.field_errors)
    if data.get("parent_identifier_code"):
        try:
            parent = _agency_by_code(data["parent_identifier_code"])
        except ValidationError as exc:
            errors.update(exc.field_errors)
    if errors:
        raise ValidationError("Thông tin cơ quan chưa hợp lệ.", field_errors=errors)
    return {
        "identifier_code": code, "name": name, "short_name": (data.get("short_name") or "").strip(),
        "kind": kind, "unit": unit, "parent": parent, "address": (data.get("address") or "").strip(),
        "phone": (data.get("phone") or "").strip(), "email": (data.get("email") or "").strip(),
        "is_active": data.get("is_active", True) not in (False, "0", "false", "False", "không"),
    }


def _agency_snapshot(agency: Agency) -> dict:
    return {"identifier_code": agency.identifier_code, "name": agency.name, "short_name": agency.short_name,
            "kind": agency.kind, "unit": agency.unit.code if agency.unit_id else None,
            "parent": agency.parent.identifier_code if agency.parent_id else None, "address": agency.address,
            "phone": agency.phone, "email": agency.email, "is_active": agency.is_active}


def _require_parent_in_unit(actor, parent: Agency | None, unit: AdministrativeUnit) -> None:
    """A parent agency's leaders get rights over its sub-agencies' dossiers: below another unit's agency, only a
    province administrator may place one (a commune's administrator could otherwise hand a provincial department
    approve/stop rights on the commune's dossiers)."""
    if actor is None or parent is None or parent.unit_id == unit.pk:
        return
    if not actor.has_perm("org.place_agency_anywhere"):
        message = "Cơ quan cấp trên phải thuộc cùng đơn vị hành chính; chỉ quản trị cấp tỉnh được chọn cơ quan khác."
        raise PermissionDenied(message, field_errors={"parent_identifier_code": [message]})


@transaction.atomic
def agency_create(*, actor, data: dict) -> Agency:
    fields = _agency_fields(data)
    _require(actor, "org.manage_agency", fields["unit"],
             "Bạn không có quyền thêm cơ quan cho đơn vị hành chính này.")
    _require_parent_in_unit(actor, fields["parent"], fields["unit"])
    if Agency.objects.filter(identifier_code=fields["identifier_code"]).exists():
        raise Conflict(f"Mã định danh {fields['identifier_code']} đã được cấp cho cơ quan khác.",
                       field_errors={"identifier_code": ["Mã định danh đã tồn tại."]})
    try:
        with transaction.atomic():
            agency = Agency.objects.create(**fields)
    except IntegrityError as exc:
        raise Conflict(f"Mã định danh {fields['identifier_code']} đã được cấp cho cơ quan khác.",
                       field_errors={"identifier_code": ["Mã định danh đã tồn tại."]}) from exc
    audit_record(actor=actor, action="org.agency.create", obj=agency, summary=f"Thêm cơ quan {agency.name}",
                 changes=diff({}, _agency_snapshot(agency)))
    return agency


@transaction.atomic
def agency_update(*, actor, agency: Agency, data: dict) -> Agency:
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    _require(actor, "org.manage_agency", agency, "Bạn không có quyền sửa cơ quan này.")
    merged = {**_agency_snapshot(agency), "unit_code": agency.unit.code,
              "parent_identifier_code": agency.parent.identifier_code if agency.parent_id else "", **data}
    fields = _agency_fields(merged)
    _require(actor, "org.manage_agency", fields["unit"], "Bạn không có quyền chuyển cơ quan sang đơn vị này.")
    if fields["parent"] != agency.parent or fields["unit"] != agency.unit:
        _require_parent_in_unit(actor, fields["parent"], fields["unit"])
    if fields["parent"] is not None and _is_descendant_or_self(fields["parent"], agency):
        raise ValidationError.for_field("parent_identifier_code",
                                        "Cơ quan cấp trên không thể là chính cơ quan này hoặc cơ quan cấp dưới của nó.")
    if (fields["identifier_code"] != agency.identifier_code
            and Agency.objects.filter(identifier_code=fields["identifier_code"]).exists()):
        raise Conflict(f"Mã định danh {fields['identifier_code']} đã được cấp cho cơ quan khác.",
                       field_errors={"identifier_code": ["Mã định danh đã tồn tại."]})
    before = _agency_snapshot(agency)
    for k, v in fields.items():
        setattr(agency, k, v)
    agency.save()
    changes = diff(before, _agency_snapshot(agency))
    if changes:
        audit_record(actor=actor, action="org.agency.update", obj=agency, summary=f"Sửa cơ quan {agency.name}",
                     changes=changes)
    return agency


def _is_descendant_or_self(candidate: Agency, agency: Agency) -> bool:
    node, seen = candidate, set()
    while node is not None and node.pk not in seen:
        if node.pk == agency.pk:
            return True
        seen.add(node.pk)
        node = node.parent
    return False


@transaction.atomic
def agency_delete(*, actor, agency: Agency) -> None:
    _require(actor, "org.manage_agency", agency, "Bạn không có quyền xóa cơ quan này.")
    if agency.children.exists():
        raise Conflict("Không thể xóa cơ quan còn cơ quan trực thuộc.")
    snapshot = _agency_snapshot(agency)
    label, pk = str(agency), agency.pk
    try:
        with transaction.atomic():
            agency.delete()
    except Exception as exc:  # ProtectedError: referenced by roles, dossiers, ...
        raise Conflict("Không thể xóa cơ quan đang được sử dụng (có vai trò, hồ sơ…); hãy ngừng hoạt động thay vì xóa.") from exc
    audit_record(actor=actor, action="org.agency.delete", object_type="org.agency", object_id=str(pk),
                 object_label=label, summary=f"Xóa cơ quan {label}", changes=diff(snapshot, {}))


def agencies_import_csv(*, actor, content: bytes | str) -> dict[str, int]:
    """Create or update agencies from CSV (columns AGENCY_CSV_COLUMNS); all rows or none."""
    _require(actor, "org.manage_agency", None, "Bạn không có quyền nhập danh sách cơ quan.")
    try:
        text = content.decode("utf-8-sig") if isinstance(content, bytes) else content
    except UnicodeDecodeError as exc:
        raise ImportFailed("Tệp CSV phải được mã hóa UTF-8.", line_errors=[(1, "Không đọc được tệp (không phải UTF-8).")]) from exc
    reader = SafeDictReader(io.StringIO(text))
    missing = [c for c in ("identifier_code", "name", "kind", "unit_code") if c not in (reader.fieldnames or [])]
    if missing:
        raise ImportFailed("Tệp CSV thiếu cột bắt buộc.", line_errors=[(1, f"Thiếu cột: {', '.join(missing)}")])
    rows = list(enumerate(reader, start=2))
    errors: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        code = (row.get("identifier_code") or "").strip().upper()
        if code in seen:
            errors.append((line, f"Mã định danh {code} trùng với dòng {seen[code]}."))
        seen[code] = line
    if errors:
        raise ImportFailed("Tệp CSV có lỗi, chưa nạp dòng nào.", line_errors=errors)
    counts = {"created": 0, "updated": 0}
    with transaction.atomic():  # one transaction: all rows or none
        # Rows may name a parent defined further down: create in dependency order.
        pending = list(rows)
        while pending:
            progressed, next_round = False, []
            for line, row in pending:
                parent_code = (row.get("parent_identifier_code") or "").strip().upper()
                if parent_code and parent_code in seen and seen[parent_code] != line and \
                        not Agency.objects.filter(identifier_code=parent_code).exists():
                    next_round.append((line, row))
                    continue
                progressed = True
                try:
                    existing = Agency.objects.filter(
                        identifier_code=(row.get("identifier_code") or "").strip().upper()).first()
                    if existing:
                        agency_update(actor=actor, agency=existing, data=row)
                        counts["updated"] += 1
                    else:
                        agency_create(actor=actor, data=row)
                        counts["created"] += 1
                except PermissionDenied as exc:
                    raise PermissionDenied(f"Dòng {line}: {exc.message}") from exc
                except (ValidationError, Conflict) as exc:
                    detail = "; ".join(m for ms in exc.field_errors.values() for m in ms) or exc.message
                    errors.append((line, detail))
            if not progressed:
                errors.extend((line, "Cơ quan cấp trên tạo thành vòng lặp.") for line, _ in next_round)
                break
            pending = next_round
        if errors:
            raise ImportFailed("Tệp CSV có lỗi, chưa nạp dòng nào.", line_errors=sorted(errors))
    return counts


def agencies_export_csv(*, agencies) -> str:
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(AGENCY_CSV_COLUMNS)
    for a in agencies.select_related("unit", "parent"):
        writer.writerow([a.identifier_code, a.name, a.short_name, a.kind, a.unit.code,
                         a.parent.identifier_code if a.parent_id else "", a.address, a.phone, a.email,
                         "1" if a.is_active else "0"])
    return out.getvalue()


# --- community digital-technology teams ---------------------------------------------------------------------

@transaction.atomic
def digital_team_upsert(*, actor, unit: AdministrativeUnit, village: str, member_count: int,
                        established_on: date | None = None, leader_name: str = "") -> DigitalTechTeam:
    _require(actor, "org.manage_unit", unit)
    if unit.level != UnitLevel.COMMUNE or not unit.is_current:
        raise ValidationError.for_field("unit_code", "Tổ công nghệ số cộng đồng được lập ở cấp xã hiện hành.")
    if member_count < 1:
        raise ValidationError.for_field("member_count", "Tổ phải có ít nhất một thành viên.")
    team, created = DigitalTechTeam.objects.select_for_update().get_or_create(
        unit=unit, village=village.strip(),
        defaults={"member_count": member_count, "established_on": established_on, "leader_name": leader_name})
    if not created:
        before = {"member_count": team.member_count, "leader_name": team.leader_name}
        team.member_count, team.leader_name = member_count, leader_name
        team.established_on = established_on or team.established_on
        team.save()
        audit_record(actor=actor, action="org.team.update", obj=team, summary=str(team),
                     changes=diff(before, {"member_count": member_count, "leader_name": leader_name}))
    else:
        audit_record(actor=actor, action="org.team.create", obj=team, summary=str(team),
                     changes={"member_count": [None, member_count]})
    return team
