from ninja import Query, Router, Status

from tinhso.api.schemas import ERROR_RESPONSES, Paging
from tinhso.core.pagination import paginate

from . import selectors, services
from .schemas import (
    CitizenIdVerifyIn,
    MeOut,
    RoleIn,
    RoleOut,
    RolePage,
    TokenCreatedOut,
    TokenIn,
    TokenPage,
    UserIn,
    UserOut,
    UserPage,
)

router = Router()


def _page(qs, paging: Paging) -> dict:
    return paginate(qs, page=paging.page, page_size=paging.page_size).as_dict()


@router.get("/me", response={200: MeOut, **ERROR_RESPONSES}, summary="Tài khoản đang dùng và vai trò")
def me(request):
    user = request.user
    return {"username": user.username, "full_name": user.full_name, "email": user.email,
            "roles": list(selectors.role_list(actor=user, username=user.username))}


@router.get("/users", response={200: UserPage, **ERROR_RESPONSES}, summary="Danh sách tài khoản (quản trị)")
def list_users(request, search: str = Query("", max_length=100), paging: Query[Paging] = None):
    return _page(selectors.user_list(actor=request.user, search=search), paging)


@router.post("/users", response={201: UserOut, **ERROR_RESPONSES}, summary="Tạo tài khoản (quản trị)")
def create_user(request, payload: UserIn):
    selectors.user_list(actor=request.user)  # admins only
    return Status(201, services.user_create(actor=request.user, **payload.dict()))


@router.post("/users/{username}/citizen-id/verification", response={200: UserOut, **ERROR_RESPONSES},
             summary="Xác minh số định danh cá nhân (cán bộ một cửa đã đối chiếu thẻ CCCD)")
def verify_citizen_id(request, username: str, payload: CitizenIdVerifyIn):
    user = selectors.user_for_verification(actor=request.user, username=username)
    return services.citizen_id_verify(actor=request.user, user=user, citizen_id=payload.citizen_id)


@router.get("/roles", response={200: RolePage, **ERROR_RESPONSES}, summary="Phân quyền trong phạm vi quản trị")
def list_roles(request, username: str = Query("", max_length=150), paging: Query[Paging] = None):
    return _page(selectors.role_list(actor=request.user, username=username), paging)


@router.post("/roles", response={201: RoleOut, **ERROR_RESPONSES}, summary="Giao vai trò")
def grant_role(request, payload: RoleIn):
    user = selectors.user_get(actor=request.user, username=payload.username)
    return Status(201, services.role_grant(actor=request.user, user=user, role=payload.role,
                                           agency_code=payload.agency, unit_code=payload.unit,
                                           include_subordinates=payload.include_subordinates))


@router.delete("/roles/{role_id}", response={204: None, **ERROR_RESPONSES}, summary="Thu hồi vai trò")
def revoke_role(request, role_id: int):
    services.role_revoke(actor=request.user, assignment_id=role_id)
    return Status(204, None)


@router.get("/tokens", response={200: TokenPage, **ERROR_RESPONSES}, summary="Mã truy cập API của hệ thống kết nối")
def list_tokens(request, paging: Query[Paging] = None):
    return _page(selectors.api_token_list(actor=request.user), paging)


@router.post("/tokens", response={201: TokenCreatedOut, **ERROR_RESPONSES},
             summary="Cấp mã truy cập API (hiển thị một lần)")
def create_token(request, payload: TokenIn):
    user = selectors.user_get(actor=request.user, username=payload.username)
    token, raw = services.api_token_create(actor=request.user, user=user, name=payload.name)
    token.token = raw
    return Status(201, token)


@router.delete("/tokens/{token_id}", response={204: None, **ERROR_RESPONSES}, summary="Thu hồi mã truy cập API")
def revoke_token(request, token_id: int):
    services.api_token_revoke(actor=request.user, token_id=token_id)
    return Status(204, None)
