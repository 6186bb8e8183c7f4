"""The CKAN Action API's one view: parse GET parameters or a POSTed JSON object, run the action, wrap the
result in CKAN's envelope. Every action is a read, so a POST needs no CSRF token (no session state changes)."""

import json

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from . import ckan

MAX_BODY = 1 << 20


def _params(request) -> dict:
    if request.method == "GET":
        return _without_nul({key: request.GET.get(key) for key in request.GET})
    if request.method != "POST":
        raise ckan.BadRequest("Chỉ nhận GET hoặc POST.")
    body = request.body[:MAX_BODY + 1]
    if len(body) > MAX_BODY:
        raise ckan.BadRequest("Nội dung gửi lên quá lớn.")
    content_type = request.content_type or ""
    if content_type == "application/x-www-form-urlencoded" or content_type.startswith("multipart/"):
        return _without_nul({key: request.POST.get(key) for key in request.POST})
    if not body.strip():
        return {}
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ckan.BadRequest(f"JSON Error: {str(exc)[:200]}") from None
    if not isinstance(data, dict):
        raise ckan.BadRequest("JSON Error: nội dung phải là một đối tượng JSON.")
    return _without_nul(data)


def _without_nul(value):
    """A NUL character can reach no database query (PostgreSQL refuses it in text)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    if isinstance(value, dict):
        return {str(k).replace("\x00", ""): _without_nul(v) for k, v in value.items()}
    return value


@csrf_exempt
def action(request, name: str):
    prefix = request.path[: request.path.rfind("/") + 1]
    help_url = request.build_absolute_uri(f"{prefix}help_show?name={name[:60]}")
    try:
        handler = ckan.ACTIONS.get(name)
        if handler is None:
            raise ckan.BadRequest(f"Action name not known: {name[:60]}")
        call = ckan.Action(params=_params(request), absolute=request.build_absolute_uri, prefix=prefix)
        result = handler(call)
    except Exception as exc:  # noqa: BLE001 — domain errors only; anything else is re-raised by error_body
        status, error = ckan.error_body(exc)
        return JsonResponse({"help": help_url, "success": False, "error": error}, status=status,
                            json_dumps_params={"ensure_ascii": False})
    response = JsonResponse({"help": help_url, "success": True, "result": result},
                            json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response
