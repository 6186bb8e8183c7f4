from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from tinhso.api.schemas import PageMeta


class IndicatorOut(Schema):
    code: str
    name: str
    pillar: str
    unit_of_measure: str
    direction: str
    numerator_meaning: str
    denominator_meaning: str
    aggregation: str
    periodicity: str
    source_kind: str
    max_value: float | None
    level_scoped: bool


class TargetOut(Schema):
    id: int
    indicator: str = Field(..., alias="indicator.code")
    unit_code: str | None = Field(None, alias="unit.code")
    level: str
    year: int
    comparator: str
    value: float
    baseline_value: float | None
    baseline_year: int | None
    source: str
    quote: str


class TargetStatusOut(Schema):
    year: int
    comparator: str
    value: float
    status: str
    status_label: str
    source: str


class ValueRowOut(Schema):
    """A value with its status: what the overview and the trend show."""

    id: int
    indicator: str
    name: str
    pillar: str
    unit_of_measure: str
    direction: str
    level: str | None
    value: float
    numerator: float | None
    denominator: float | None
    period_start: date
    period_end: date
    period: str
    period_label: str
    source: str
    provenance: dict[str, Any]
    unit_code: str | None
    unit_name: str | None
    agency_code: str | None = None
    is_history: bool
    version: int
    status: str | None
    status_label: str
    target: float | None
    target_comparator: str | None
    target_year: int | None
    target_2025: TargetStatusOut | None
    target_2030: TargetStatusOut | None


class BreakdownRowOut(ValueRowOut):
    key: str


class ValueOut(Schema):
    id: int
    indicator: str = Field(..., alias="indicator.code")
    unit_code: str | None = Field(None, alias="unit.code")
    agency_code: str | None = Field(None, alias="agency.identifier_code")
    level: str
    period_start: date
    period_end: date
    numerator: float | None
    denominator: float | None
    value: float
    source: str
    provenance: dict[str, Any]
    version: int
    is_current: bool
    reason: str
    created_at: datetime


class ValuePage(PageMeta):
    items: list[ValueOut]


class CorrectionIn(Schema):
    value: float = Field(..., ge=-1e12, le=1e12)
    numerator: float | None = Field(None, ge=0, le=1e15)
    denominator: float | None = Field(None, ge=0, le=1e15)
    reason: str = Field(..., min_length=1, max_length=500)


class StatusOut(Schema):
    indicator: str
    name: str
    level: str | None
    unit: str | None
    period: str
    value: float
    target: float | None
    comparator: str | None
    target_year: int | None
    status: str | None
    source: str


class ComponentOut(Schema):
    code: str
    name: str
    points: float
    method: str
    level: str | None
    indicator: str | None
    target_value: float | None
    formula: str
    children: list["ComponentOut"]


ComponentOut.model_rebuild()


class FrameworkOut(Schema):
    code: str
    name: str
    kind: str
    legal_basis: str
    level: str
    max_points: float
    description: str


class FrameworkDetailOut(FrameworkOut):
    components: list[ComponentOut]


class RankingRowOut(Schema):
    unit_code: str
    unit_name: str
    score: float
    rank: int | None = Field(None, description="Trống khi ít hơn hai đơn vị có điểm")
    out_of: int | None = None
    label: str
    details: dict[str, Any]
    components_scored: int
    components_total: int
    coverage_label: str


class RankingOut(Schema):
    framework: str
    name: str
    max_points: float
    period: str
    period_label: str
    is_estimate: bool = Field(..., description="Điểm ước tính từ số liệu trên nền tảng (không phải kết quả chính thức)")
    note: str
    ranked: bool
    rows: list[RankingRowOut]


class AgencyRankingRowOut(Schema):
    agency_code: str
    agency_name: str
    kind: str
    unit_code: str
    unit_name: str
    score: float | None = Field(None, description="Điểm ước tính; trống khi không thành phần nào có số liệu")
    rank: int | None = Field(None, description="Trống khi ít hơn hai cơ quan của nhóm có điểm")
    out_of: int | None = None
    label: str
    change: int | None = Field(None, description="Số bậc tăng (dương) hoặc giảm (âm) so với kỳ trước cùng loại")
    components: dict[str, float]
    components_scored: int
    components_total: int
    coverage_label: str
    values: dict[str, float | None] = Field(..., description="Giá trị của cơ quan với các chỉ tiêu ngoài bộ chỉ số")


class AgencyRankingIndicatorOut(Schema):
    code: str
    name: str
    unit_of_measure: str


class AgencyRankingOut(Schema):
    framework: str
    name: str
    max_points: float
    group: str
    group_label: str
    period: str
    period_label: str
    previous_period_label: str
    is_estimate: bool = Field(..., description="Điểm ước tính từ số liệu trên nền tảng (không phải kết quả chính thức)")
    note: str
    ranked: bool
    scored: int = Field(..., description="Số cơ quan của nhóm có điểm (xếp hạng trong số này)")
    indicators: list[AgencyRankingIndicatorOut]
    rows: list[AgencyRankingRowOut]


class RankingIn(Schema):
    period: str = Field(..., min_length=4, max_length=30)


class ReportPeriodOut(Schema):
    id: int
    form: str = Field(..., alias="form.code")
    form_name: str = Field(..., alias="form.name")
    unit_level: str = Field(..., alias="form.unit_level")
    period_start: date
    period_end: date
    label: str
    opens_on: date
    deadline: date
    status: str


class ReportPeriodIn(Schema):
    form: str = Field(..., max_length=60)
    period: str = Field(..., min_length=4, max_length=30)
    opens_on: date
    deadline: date
    open_now: bool = False


class PeriodStatusIn(Schema):
    status: str = Field(..., max_length=10, description="open | closed")


class CompletenessUnitOut(Schema):
    unit_code: str
    unit_name: str
    status: str | None
    status_label: str
    submitted_at: datetime | None
    on_time: bool


class CompletenessOut(Schema):
    period_id: int
    label: str
    deadline: date
    expected: int
    submitted: int
    submitted_on_time: int
    approved: int
    summary: str
    units: list[CompletenessUnitOut]


class ReportItemOut(Schema):
    indicator: str
    name: str
    unit_of_measure: str
    max_value: float | None
    level: str | None
    value: float | None
    numerator: float | None
    denominator: float | None
    note: str


class EvidenceOut(Schema):
    id: int
    original_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime


class ReportOut(Schema):
    id: int
    period_id: int
    period_label: str = Field(..., alias="period.label")
    form: str = Field(..., alias="period.form.code")
    unit_code: str = Field(..., alias="unit.code")
    unit_name: str = Field(..., alias="unit.name")
    status: str
    submitted_at: datetime | None
    reviewed_at: datetime | None
    reviewer_comment: str
    note: str


class ReportDetailOut(ReportOut):
    items: list[ReportItemOut]
    evidence: list[EvidenceOut]


class ReportPage(PageMeta):
    items: list[ReportOut]


class ReportIn(Schema):
    period_id: int = Field(..., ge=1, le=2**62)
    unit: str = Field(..., max_length=20)


class ReportValueIn(Schema):
    indicator: str = Field(..., max_length=80)
    level: str = Field("", max_length=10)
    value: float | None = Field(None, ge=-1e12, le=1e12)
    numerator: float | None = Field(None, ge=-1e15, le=1e15)
    denominator: float | None = Field(None, ge=-1e15, le=1e15)
    note: str = Field("", max_length=500)


class ReportValuesIn(Schema):
    values: list[ReportValueIn] = Field(..., max_length=200)
    note: str | None = Field(None, max_length=2000)


class ReviewIn(Schema):
    comment: str = Field("", max_length=2000)
