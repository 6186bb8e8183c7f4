from datetime import datetime

from ninja import Field, Schema

from tinhso.api.schemas import PageMeta


class RoleOut(Schema):
    id: int
    username: str
    role: str
    role_label: str
    agency: str | None
    unit: str | None
    include_subordinates: bool
    granted_at: datetime

    @staticmethod
    def resolve_username(obj) -> str:
        return obj.user.username

    @staticmethod
    def resolve_role_label(obj) -> str:
        return obj.get_role_display()

    @staticmethod
    def resolve_agency(obj):
        return obj.agency.identifier_code if obj.agency_id else None

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.code if obj.unit_id else None


class MeOut(Schema):
    username: str
    full_name: str
    email: str
    roles: list[RoleOut]


class RoleIn(Schema):
    username: str = Field(..., max_length=150)
    role: str = Field(..., max_length=24)
    agency: str | None = Field(None, max_length=13, description="Mã định danh cơ quan (vai trò theo cơ quan)")
    unit: str | None = Field(None, max_length=20, description="Mã đơn vị hành chính (vai trò quản trị)")
    include_subordinates: bool = False


class RolePage(PageMeta):
    items: list[RoleOut]


class UserIn(Schema):
    username: str = Field(..., max_length=150)
    password: str = Field(..., max_length=128)
    full_name: str = Field("", max_length=150)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=20)
    citizen_id: str = Field("", max_length=12)
    unit: str = Field("", max_length=20, description="Mã đơn vị quản lý tài khoản (mặc định: của quản trị viên)")


class UserOut(Schema):
    username: str
    full_name: str
    email: str
    phone: str
    is_active: bool
    citizen_id_verified: bool = Field(False, description="Số định danh cá nhân đã được xác minh")


class CitizenIdVerifyIn(Schema):
    citizen_id: str = Field(..., max_length=12, description="Số định danh cá nhân đọc trên thẻ CCCD đã đối chiếu")


class UserPage(PageMeta):
    items: list[UserOut]


class TokenIn(Schema):
    username: str = Field(..., max_length=150, description="Tài khoản hệ thống kết nối")
    name: str = Field(..., max_length=100)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    username: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    @staticmethod
    def resolve_username(obj) -> str:
        return obj.user.username


class TokenCreatedOut(TokenOut):
    token: str = Field(..., description="Chỉ hiển thị một lần; hãy lưu lại ngay.")


class TokenPage(PageMeta):
    items: list[TokenOut]
