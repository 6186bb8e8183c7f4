"""The demo catalogue: `data/demo_procedures.json`, written for this project, names agencies by their demo keys
(those of `tinhso.demo.agencies` plus "ubnd_tinh", "van_phong_ubnd"; "ubnd_xa" = every commune committee)."""

import json
from pathlib import Path

from tinhso.org.models import Agency

from .services import procedures_import

DEMO_FILE = Path(__file__).parent / "data" / "demo_procedures.json"
# Citizens' words per procedure code, kept apart from the catalogue's official facts.
DEMO_KEYWORDS_FILE = Path(__file__).parent / "data" / "demo_keywords.json"
COMMUNE_KEY = "ubnd_xa"


def load_demo_procedures(*, agencies_by_key: dict[str, Agency], commune_agencies: list[Agency]) -> dict[str, int]:
    records = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    keywords = json.loads(DEMO_KEYWORDS_FILE.read_text(encoding="utf-8"))
    for rec in records:
        if not rec.get("keywords") and rec.get("code") in keywords:
            rec["keywords"] = keywords[rec["code"]]

    def resolve(key: str) -> list[Agency]:
        if key == COMMUNE_KEY:
            return list(commune_agencies)
        agency = agencies_by_key.get(key)
        return [agency] if agency is not None else []  # a key the province lacks is skipped

    return procedures_import(actor=None, records=records, agency_resolver=resolve)
