from tests.matrix import Request, case

MATRIX = {
    ("GET", "/api/v1/audit/events"): case(lambda w: Request("/api/v1/audit/events"), {"province_admin"}),
}
