"""SMS: one outbox, sent by Celery exactly once, through the backend the settings name.

    from gigmarket.core.sms import sms_enqueue
    sms_enqueue(to=worker.mobile, template="match_confirmed", params={...}, county=..., related=match)

Templates: `gigmarket.core.sms.templates.TEMPLATES`; codes: `gigmarket.core.sms.codes`
(`code_send`, `code_verify`, `CodeError`); counts for monitoring:
`gigmarket.core.sms.selectors.sms_counts(scope, start, end)`.
"""

from .codes import CodeError, code_send, code_verify
from .services import sms_enqueue
from .templates import TEMPLATES

__all__ = ["TEMPLATES", "CodeError", "code_send", "code_verify", "sms_enqueue"]
