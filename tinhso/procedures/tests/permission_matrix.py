import json

from tests.matrix import EVERYONE, Request, case
from tinhso.procedures.models import Procedure, SearchSynonym
from tinhso.procedures.services import procedures_import

from .records import CRIMINAL_RECORD, record

IMPORT_FILE = json.dumps([record(CRIMINAL_RECORD, code="1.999001", name="Thủ tục thử nghiệm")],
                         ensure_ascii=False).encode()


def _synonym(method_path: str, **payload):
    def build(world) -> Request:
        synonym = SearchSynonym.objects.create(phrase=f"cụm thử {SearchSynonym.objects.count()}", expansion="khai sinh")
        return Request(method_path.format(id=synonym.pk), json=payload or None)
    return build


def _with_procedure(path: str):
    def build(world) -> Request:
        if not Procedure.objects.filter(code=CRIMINAL_RECORD["code"]).exists():
            procedures_import(actor=None, records=[record(CRIMINAL_RECORD)])
        return Request(path)
    return build


MATRIX = {
    ("GET", "/api/v1/procedures"): case(
        lambda w: Request("/api/v1/procedures", query={"search": "ly lich tu phap"}), EVERYONE),
    ("GET", "/api/v1/procedures/export"): case(
        lambda w: Request("/api/v1/procedures/export", query={"format": "csv"}), EVERYONE),
    ("GET", "/api/v1/procedures/{code}"): case(_with_procedure("/api/v1/procedures/1.000775"), EVERYONE),
    ("GET", "/api/v1/procedure-fields"): case(lambda w: Request("/api/v1/procedure-fields"), EVERYONE),
    # The catalogue is the province's: only its administrator imports it.
    ("POST", "/api/v1/procedures/import"): case(
        lambda w: Request("/api/v1/procedures/import",
                          files={"file": ("tthc.json", IMPORT_FILE, "application/json")}),
        {"province_admin"}),
    ("GET", "/api/v1/procedure-synonyms"): case(lambda w: Request("/api/v1/procedure-synonyms"), EVERYONE),
    # The synonym table is province data: only its administrator edits it.
    ("POST", "/api/v1/procedure-synonyms"): case(
        lambda w: Request("/api/v1/procedure-synonyms", json={"phrase": "giấy khai sinh mới", "expansion": "khai sinh"}),
        {"province_admin"}),
    ("PATCH", "/api/v1/procedure-synonyms/{synonym_id}"): case(
        _synonym("/api/v1/procedure-synonyms/{id}", expansion="đăng ký khai sinh"), {"province_admin"}),
    ("DELETE", "/api/v1/procedure-synonyms/{synonym_id}"): case(
        _synonym("/api/v1/procedure-synonyms/{id}"), {"province_admin"}),
}
