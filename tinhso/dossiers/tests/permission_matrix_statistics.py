"""Permission matrix of the statistics API (imported by tests/test_permission_matrix.py)."""

from tests.matrix import Request, case

# The Department of Justice's figures: its officers (the leader also sees its sub-agencies) and the province
# administrator; the service-centre clerk, another commune's officer, the commune administrator and the connected
# system (whose role is on the provincial committee only) are refused, the citizen too.
MATRIX = {
    ("GET", "/api/v1/statistics/dossiers"): case(
        lambda w: Request("/api/v1/statistics/dossiers",
                          query={"agency": "000.00.03.H56", "date_from": "2026-01-01", "date_to": "2026-06-30"}),
        {"processing_officer", "agency_leader", "province_admin"}),
}
