from datetime import date

from ninja import Field, Schema

from tinhso.api.schemas import PageMeta


class UnitRef(Schema):
    code: str
    name: str


class UnitOut(Schema):
    code: str
    official_code: str
    name: str
    short_name: str
    level: str
    unit_type: str
    unit_type_label: str
    parent: UnitRef | None
    is_current: bool
    valid_from: date | None
    valid_to: date | None
    merged_into: UnitRef | None
    identifier_prefix: str
    children_count: int = 0
    latitude: float | None
    longitude: float | None
    village_count: int | None

    @staticmethod
    def resolve_unit_type_label(obj) -> str:
        return obj.get_unit_type_display()

    @staticmethod
    def resolve_parent(obj):
        return obj.parent

    @staticmethod
    def resolve_merged_into(obj):
        return obj.merged_into

    @staticmethod
    def resolve_children_count(obj) -> int:
        return getattr(obj, "children_count", 0) or 0


class UnitDetailOut(UnitOut):
    predecessors: list[UnitRef] = Field(default_factory=list, description="Đơn vị trước 01/07/2025 đã hợp nhất vào")

    @staticmethod
    def resolve_predecessors(obj) -> list:
        return getattr(obj, "predecessor_list", [])


class UnitPage(PageMeta):
    items: list[UnitOut]


class UnitConvertOut(Schema):
    query: str
    matched_by: str = Field(..., description="code hoặc address")
    source: UnitOut = Field(..., description="Đơn vị được nêu (trước 01/07/2025 nếu là mã, địa chỉ cũ)")
    successor: UnitOut = Field(..., description="Đơn vị hiện hành kế thừa")


class AgencyRef(Schema):
    identifier_code: str
    name: str


class AgencyOut(Schema):
    identifier_code: str
    name: str
    short_name: str
    kind: str
    kind_label: str
    unit: UnitRef
    parent: AgencyRef | None
    address: str
    phone: str
    email: str
    is_active: bool

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_parent(obj):
        return obj.parent


class AgencyPage(PageMeta):
    items: list[AgencyOut]


class AgencyIn(Schema):
    identifier_code: str = Field(..., max_length=13, description="Mã định danh điện tử XXX.YY.ZZ.Annn")
    name: str = Field(..., max_length=255)
    short_name: str = Field("", max_length=100)
    kind: str = Field(..., description="Loại cơ quan (ubnd_tinh, so_ban_nganh, ubnd_xa, …)")
    unit_code: str = Field(..., max_length=20, description="Mã đơn vị hành chính mà cơ quan phục vụ")
    parent_identifier_code: str = Field("", max_length=13)
    address: str = Field("", max_length=255)
    phone: str = Field("", max_length=30)
    email: str = Field("", max_length=254)
    is_active: bool = True


class AgencyPatch(Schema):
    name: str | None = Field(None, max_length=255)
    short_name: str | None = Field(None, max_length=100)
    kind: str | None = None
    unit_code: str | None = Field(None, max_length=20)
    parent_identifier_code: str | None = Field(None, max_length=13)
    address: str | None = Field(None, max_length=255)
    phone: str | None = Field(None, max_length=30)
    email: str | None = Field(None, max_length=254)
    is_active: bool | None = None


class ImportResultOut(Schema):
    created: int
    updated: int


class TeamCoverageOut(Schema):
    unit: UnitRef
    communes: int
    commune_teams: int
    villages: int
    village_teams: int
    members: int
    coverage_percent: float | None
