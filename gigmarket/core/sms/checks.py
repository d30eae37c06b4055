"""System checks of the SMS settings that need the template registry (run by manage.py)."""

from django.conf import settings
from django.core.checks import Error, Warning, register

from .templates import TEMPLATES


@register()
def sms_template_codes(app_configs, **kwargs):
    problems = []
    unknown = sorted(set(settings.SMS_TEMPLATE_CODES) - set(TEMPLATES))
    if unknown:
        problems.append(
            Error(
                f"SMS_TEMPLATE_CODES names unknown templates: {', '.join(unknown)}",
                hint=f"Known: {', '.join(TEMPLATES)}",
                id="gigmarket.core.sms.E001",
            )
        )
    if settings.SMS_BACKEND != "console":
        missing = [key for key in TEMPLATES if key not in settings.SMS_TEMPLATE_CODES]
        if missing:
            problems.append(
                Warning(
                    f"SMS_BACKEND={settings.SMS_BACKEND} but SMS_TEMPLATE_CODES has no code for: {', '.join(missing)}",
                    hint="Those messages will fail with 未配置模板 (docs/configuration.md, SMS).",
                    id="gigmarket.core.sms.W001",
                )
            )
    return problems
