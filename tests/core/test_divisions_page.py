from gigmarket.core.models import AuditEvent, Division


def test_province_marks_a_county_inactive_and_it_is_audited(client, province_user):
    county = Division.objects.get(code="520122")
    client.force_login(province_user)
    assert "息烽县" in client.get("/divisions/").content.decode()
    assert client.post(f"/divisions/{county.pk}/toggle-active/").status_code == 302
    county.refresh_from_db()
    assert not county.is_active
    event = AuditEvent.objects.get(target_type="gigmarket.division", target_id=str(county.pk))
    assert event.changes == {"is_active": [True, False]}
    client.post(f"/divisions/{county.pk}/toggle-active/")
    county.refresh_from_db()
    assert county.is_active


def test_other_roles_cannot_change_divisions(client, auditor, city_user, county_user):
    county = Division.objects.get(code="520122")
    for user in (auditor, city_user, county_user):
        client.force_login(user)
        assert client.post(f"/divisions/{county.pk}/toggle-active/").status_code == 403
    county.refresh_from_db()
    assert county.is_active


def test_cities_cannot_be_toggled(client, province_user):
    client.force_login(province_user)
    city = Division.objects.get(code="520100")
    assert client.post(f"/divisions/{city.pk}/toggle-active/").status_code == 404
