from django.conf import settings


def platform(request):
    return {"PLATFORM_NAME": "Tỉnh Số", "PROVINCE_CODE": settings.TINHSO_PROVINCE_CODE}
