from .oidc import eid_configured


def citizens(request):
    return {"EID_LOGIN": eid_configured()}
