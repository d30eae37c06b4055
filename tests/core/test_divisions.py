from gigmarket.core.divisions import read_divisions
from gigmarket.core.models import Division


def test_province_cities_and_counties_are_loaded(db):
    assert Division.objects.filter(level="province").count() == 1
    assert Division.objects.filter(level="city").count() == 9
    assert Division.objects.filter(level="county").count() == 88


def test_codes_names_and_parents(db):
    guiyang = Division.objects.get(code="520100")
    assert guiyang.name == "贵阳市"
    assert guiyang.parent.code == "520000"
    nanming = Division.objects.get(code="520102")
    assert (nanming.name, nanming.parent) == ("南明区", guiyang)
    kaili = Division.objects.get(code="522601")
    assert kaili.name == "凯里市"
    assert kaili.parent.short_name == "黔东南州"
    assert Division.objects.get(code="522600").name == "黔东南苗族侗族自治州"


def test_every_county_has_a_city_parent(db):
    assert not Division.objects.filter(level="county").exclude(parent__level="city").exists()


def test_shipped_copy_matches_the_loaded_rows(db):
    rows = read_divisions()
    assert len(rows) == 98
    assert {r["code"] for r in rows} == set(Division.objects.values_list("code", flat=True))


def test_a_county_can_be_marked_inactive_and_is_kept(db):
    county = Division.objects.get(code="520122")
    county.is_active = False
    county.save()
    assert Division.objects.filter(code="520122", is_active=False).exists()
