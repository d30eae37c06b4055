"""Template helpers of employment assistance: a worker's 就业困难人员 recognition."""

from django import template

register = template.Library()


def _recognitions(worker):
    return list(worker.hardship_recognitions.select_related("created_by"))


@register.inclusion_tag("registry/_recognition_status.html")
def recognition_status(worker):
    """Whether the worker is recognised as 就业困难人员 today, and on what basis (one query)."""
    if worker is None:
        return {"active": None}
    active = next((r for r in _recognitions(worker) if r.is_active), None)
    return {"active": active, "worker": worker}


@register.inclusion_tag("registry/_recognition_panel.html", takes_context=True)
def recognition_panel(context, worker):
    """The worker page's 就业困难人员认定 section: history and, for writers, the form."""
    from ..recognition_forms import RecognitionEndForm, RecognitionForm  # noqa: PLC0415

    user = context["request"].user
    return {
        "worker": worker,
        "recognitions": _recognitions(worker),
        "form": context.get("recognition_form") or RecognitionForm(),
        "end_form": RecognitionEndForm(),
        # A refused 终止认定 comes back on its own recognition, open, with what was typed.
        "failed_end_form": context.get("recognition_end_form"),
        "failed_end_pk": context.get("recognition_end_pk"),
        "can_write": user.can_write,
        "csrf_token": context.get("csrf_token"),
    }
