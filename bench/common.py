"""Shared set-up for the benchmarks: Django on the throwaway PostgreSQL, a province and a year of dossiers."""

import json
import os
import platform
import random
import socket
import sys
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
VN = ZoneInfo("Asia/Ho_Chi_Minh")
YEAR_START = datetime(2025, 7, 1, tzinfo=VN)
PROVINCE = "38"
PREFIX = "H56"
DEPARTMENTS = 20
COMMUNES = 180


def free_port() -> int:
    """A free TCP port on 127.0.0.1 for a server the bench starts."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


RESULTS: list[dict] = []  # every figure of this run, written to var/bench/<timestamp>.json at the end


def figure(section: str, what: str, value: float, unit: str, *, anchor_label: str = "", anchor: float | None = None,
           target: str = "") -> None:
    """Print one measured figure beside the anchor measured in the same run, with their ratio, and keep it."""
    ratio = value / anchor if anchor else None
    line = f"  {what}: {value:,.1f} {unit}"
    if anchor is not None:
        line += f"  |  {anchor_label}: {anchor:,.1f} {unit}  |  ratio {ratio:.2f}×" if ratio is not None else \
            f"  |  {anchor_label}: {anchor:,.1f} {unit}"
    if target:
        line += f"  (target {target})"
    print(line, flush=True)
    RESULTS.append({"section": section, "what": what, "value": value, "unit": unit, "anchor_label": anchor_label,
                    "anchor": anchor, "ratio": ratio, "target": target})


def write_results(rows: int) -> Path:
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    moment = datetime.now(UTC)
    path = out / f"{moment:%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps({"at": moment.isoformat(), "rows": rows, "machine": platform.node(),
                                "cpus": os.cpu_count(), "figures": RESULTS}, ensure_ascii=False, indent=1),
                    encoding="utf-8")
    print(f"\nFigures written to {path.relative_to(ROOT)}")
    return path


def setup_django() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("The benchmarks run on PostgreSQL: use `make bench` (scripts/with-postgres.sh sets DATABASE_URL).")
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinhso.config.settings")
    os.environ.setdefault("TINHSO_VAR_DIR", "/tmp/tinhso-bench-var")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


@contextmanager
def timed(label: str):
    start = time.perf_counter()
    yield
    print(f"  {label}: {time.perf_counter() - start:.2f} s", flush=True)


def median_seconds(fn, runs: int = 5) -> float:
    fn()  # warm the caches
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return sorted(samples)[len(samples) // 2]


def build_province():
    """A province with 20 departments, 180 communes with their committees, 60 procedures in 12 fields."""
    from tinhso.accounts.choices import Role
    from tinhso.accounts.models import RoleAssignment, User
    from tinhso.org.choices import AgencyKind, UnitLevel, UnitType
    from tinhso.org.models import AdministrativeUnit, Agency
    from tinhso.procedures.models import Procedure, ProcedureField

    province = AdministrativeUnit.objects.create(code=PROVINCE, official_code=PROVINCE, name="Tỉnh Thanh Hóa",
                                                 short_name="Thanh Hóa", level=UnitLevel.PROVINCE,
                                                 unit_type=UnitType.PROVINCE, identifier_prefix=PREFIX)
    committee = Agency.objects.create(identifier_code=f"000.00.00.{PREFIX}", name="UBND tỉnh Thanh Hóa",
                                      kind=AgencyKind.PROVINCIAL_COMMITTEE, unit=province)
    agencies = [committee]
    for n in range(1, DEPARTMENTS):
        agencies.append(Agency.objects.create(identifier_code=f"000.00.{n:02d}.{PREFIX}", name=f"Sở số {n}",
                                              kind=AgencyKind.DEPARTMENT, unit=province, parent=committee))
    for n in range(COMMUNES):
        commune = AdministrativeUnit.objects.create(code=f"{16000 + n}", official_code=f"{16000 + n}",
                                                    name=f"Xã Số {n}", short_name=f"Số {n}",
                                                    level=UnitLevel.COMMUNE, unit_type=UnitType.COMMUNE,
                                                    parent=province)
        agencies.append(Agency.objects.create(identifier_code=f"000.{1 + n % 99:02d}.{50 + n // 99}.{PREFIX}",
                                              name=f"UBND xã Số {n}", kind=AgencyKind.COMMUNE_COMMITTEE,
                                              unit=commune, parent=committee))
    procedures = []
    for f in range(12):
        field = ProcedureField.objects.create(code=f"linh-vuc-{f}", name=f"Lĩnh vực {f}")
        for p in range(5):
            procedures.append(Procedure.objects.create(
                code=f"1.{f:03d}{p:03d}", name=f"Thủ tục {f}.{p}", field=field, levels=["commune"],
                processing_time=random.Random(f * 5 + p).choice([1, 3, 5, 10, 15, 20]), online_level="toan_trinh"))
    admin = User.objects.create_user(username="bench.admin", password="bench-Password-1")
    RoleAssignment.objects.create(user=admin, role=Role.PROVINCE_ADMIN, unit=province)
    officer = User.objects.create_user(username="bench.officer", password="bench-Password-1")
    RoleAssignment.objects.create(user=officer, role=Role.PROCESSING_OFFICER, agency=agencies[5])
    return province, agencies, procedures, admin, officer


def history_rows(n: int, agencies, procedures, *, seed: int = 1, code_prefix: str = ""):
    """n dossiers received over a year from YEAR_START: (code, procedure, agency, channel, received, due,
    resolved, timeliness, returned, withdrawn, refused, status) in import vocabulary."""
    rng = random.Random(seed)
    seconds_in_year = 365 * 86400
    agency_codes = [a.identifier_code for a in agencies]
    now = YEAR_START + timedelta(days=365)
    for i in range(n):
        received = YEAR_START + timedelta(seconds=rng.randrange(seconds_in_year))
        procedure = procedures[rng.randrange(len(procedures))]
        agency = agency_codes[rng.randrange(len(agency_codes))]
        progress = (received - YEAR_START).total_seconds() / seconds_in_year
        channel = "online" if rng.random() < 0.2 + 0.4 * progress else ("direct" if rng.random() < 0.9 else "postal")
        due = received + timedelta(days=procedure.processing_time * 1.4)
        draw = rng.random()
        resolved = returned = withdrawn = None
        if draw < 0.01:
            status = "refused"
        elif draw < 0.03:
            status, withdrawn = "withdrawn", received + timedelta(hours=20)
        else:
            late = rng.random() < 0.07
            resolved = due + timedelta(hours=rng.uniform(1, 200)) if late else \
                received + (due - received) * rng.uniform(0.2, 0.99)
            if resolved >= now:
                status, resolved = "pending", None
            elif rng.random() < 0.85:
                status, returned = "returned", resolved + timedelta(hours=3)
            else:
                status = "resolved"
        yield (f"{code_prefix}{agency}-{received:%y%m%d}-{i:07d}", procedure, agency, channel, received, due,
               resolved, returned, withdrawn, status)
