"""PreparedQuery: a queryset compiled once per shape answers as the queryset would, for any values."""

import datetime
import uuid

import pytest
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.utils import timezone

from gigmarket.core.models import User
from gigmarket.core.prepared import PreparedQuery
from tests.factories.core import UserFactory, division

pytestmark = pytest.mark.django_db


def users_query(shape, v):
    qs = User.objects.select_related("division__parent").filter(
        username__in=v["names"], date_joined__lt=v["before"], division__parent__code=v["city"]
    )
    if shape == "with label":
        qs = qs.annotate(label=Concat(F("username"), Value("@"), F("division__name")))
    return qs.order_by("username")


@pytest.fixture
def users(db):
    now = timezone.now()
    made = [
        UserFactory(username=f"p{n}", division=division(code))
        for n, code in enumerate(["520102", "520103", "520302", "520102"])
    ]
    for n, user in enumerate(made):
        User.objects.filter(pk=user.pk).update(date_joined=now - datetime.timedelta(days=n))
    return made


@pytest.mark.parametrize("shape", ["plain", "with label"])
def test_every_value_set_answers_as_the_queryset(users, shape, django_assert_num_queries):
    prepared = PreparedQuery(User, users_query)
    now = timezone.now()
    cases = [
        {"names": ["p0", "p1", "p2", "p3"], "before": now, "city": "520100"},
        {"names": ["p1", "p3"], "before": now, "city": "520100"},
        {"names": ["p0", "p1", "p2", "p3"], "before": now - datetime.timedelta(hours=36), "city": "520300"},
        {"names": ["p2"], "before": now, "city": "520100"},
        {"names": [], "before": now, "city": "520100"},
    ]
    for values in cases:
        expected = list(users_query(shape, values))
        with django_assert_num_queries(0 if not values["names"] else 1):
            got = prepared.run(shape, values)
            assert [u.pk for u in got] == [u.pk for u in expected]
            assert [u.division.parent for u in got] == [u.division.parent for u in expected]
            if shape == "with label":
                assert [u.label for u in got] == [u.label for u in expected]
    assert len(prepared._templates) == 4  # lists of 4, 2, 1 and 0 names: the SQL of a 4 reused


@pytest.mark.parametrize(
    ("lookup", "values", "refused"),
    [
        ("username__startswith", {"name": "p"}, "name"),  # sent as "p%"
        ("username__icontains", {"name": "p"}, "name"),  # sent as "%p%"
        ("username", {"key": uuid.uuid4()}, "key"),  # sent as str(key), another value
    ],
)
def test_a_value_the_query_transforms_is_refused(users, lookup, values, refused):
    """Bound later, a transformed value would be wrong: the shape is refused when prepared."""

    def build(shape, v):
        value = str(v["key"]) if "key" in v else v["name"]
        return User.objects.filter(pk__in=v["pks"], **{lookup: value})

    with pytest.raises(ValueError, match=rf"\['{refused}'\] are not SQL parameters"):
        PreparedQuery(User, build).run("x", {"pks": [users[0].pk], **values})


def test_a_value_of_another_type_is_refused(users):
    prepared = PreparedQuery(User, lambda shape, v: User.objects.filter(pk=v["pk"]))
    with pytest.raises(TypeError):
        prepared.run("by pk", {"pk": None})
    assert [u.pk for u in prepared.run("by pk", {"pk": users[0].pk})] == [users[0].pk]
