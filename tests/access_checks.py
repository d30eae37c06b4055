"""The one behaviour every `<app>/access.py` helper pair has, checked the same way for each."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404


def check_access_pair(read, rw, obj, *, owner, outsider, auditor):
    """`read` / `rw` on `obj`: the owner gets it from both; a user of another county gets 404
    from both (as for a missing or malformed id); the read-only auditor reads it but gets 403
    from the write variant."""
    assert read(owner, obj.pk) == obj
    assert rw(owner, obj.pk) == obj
    assert read(auditor, obj.pk) == obj
    with pytest.raises(PermissionDenied):
        rw(auditor, obj.pk)
    for helper in (read, rw):
        with pytest.raises(Http404):
            helper(outsider, obj.pk)
        with pytest.raises(Http404):
            helper(owner, obj.pk + 10_000)
        with pytest.raises(Http404):
            helper(owner, "abc")
