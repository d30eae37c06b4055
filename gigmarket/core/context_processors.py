from django.conf import settings

SITE_NAME = "贵州省零工市场管理平台"


def portal(request):
    return {"SITE_NAME": SITE_NAME, "DEBUG": settings.DEBUG}
