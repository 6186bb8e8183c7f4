"""The accessibility gate (issue 9): axe-core (npm, pinned) runs inside Debian's Chromium on every main page for
each persona; no critical and no serious violation is allowed."""

import json
from pathlib import Path

import pytest
from django.test import Client

from conftest import build_world
from tinhso.dossiers.choices import Status
from tinhso.dossiers.tests.factories import justice_procedure, make_dossier

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.filter(v => v.impact === "critical" || v.impact === "serious")
    .map(v => ({id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
}"""


def _pages(dossier_code: str, procedure_code: str) -> dict[str, list[str]]:
    public = ["/", "/thu-tuc/", f"/thu-tuc/{procedure_code}/", "/ho-so/tra-cuu/", "/dashboard/",
              "/don-vi/", "/don-vi/co-quan/"]
    return {
        "anonymous": public + ["/tai-khoan/dang-nhap/", "/cong-dan/dang-ky/", "/cong-dan/quen-mat-khau/"],
        "citizen": ["/ho-so/cua-toi/", f"/ho-so/nop/{procedure_code}/", f"/ho-so/{dossier_code}/",
                    f"/ho-so/{dossier_code}/phieu-tiep-nhan/", "/thong-bao/", "/thong-bao/cai-dat/"],
        "receiving_officer": ["/ho-so/xu-ly/", "/ho-so/tiep-nhan/", f"/ho-so/tiep-nhan/?procedure_code={procedure_code}",
                              f"/ho-so/{dossier_code}/", f"/ho-so/{dossier_code}/phieu-tiep-nhan/"],
        "processing_officer": ["/ho-so/xu-ly/", f"/ho-so/{dossier_code}/", "/thong-ke/"],
        "agency_leader": ["/ho-so/xu-ly/", "/thong-ke/", "/chi-so/bao-cao/"],
        "province_admin": ["/nhat-ky/", "/thong-bao/mau/", "/thong-bao/nhat-ky-gui/", "/chi-so/bao-cao/", "/dashboard/",
                           "/don-vi/co-quan/"],
    }


def _log_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])


@pytest.mark.parametrize("persona", ["anonymous", "citizen", "receiving_officer", "processing_officer",
                                     "agency_leader", "province_admin"])
def test_main_pages_have_no_serious_accessibility_violations(live_server, page, persona):
    world = build_world()
    procedure = justice_procedure(world)
    dossier = make_dossier(world, status=Status.RECEIVED, procedure=procedure)
    if persona != "anonymous":
        _log_in(page, live_server, world.users[persona])
    axe = AXE.read_text(encoding="utf-8")
    found = {}
    for path in _pages(dossier.code, procedure.code)[persona]:
        response = page.goto(live_server.url + path)
        assert response.status < 400, f"{path}: HTTP {response.status}"
        page.evaluate(axe)
        violations = page.evaluate(RUN_AXE)
        if violations:
            found[path] = violations
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)
