"""The door of the data-sharing gateway for client systems (filled in by tinhso.gateway.door)."""


class GatewayMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)
