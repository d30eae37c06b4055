"""The audit log speaks Chinese: field labels and choice labels, not codes."""

from gigmarket.audit import audit_record


def test_audit_list_shows_field_and_choice_labels(client, province_user, market):
    audit_record(
        actor=province_user,
        action="update",
        target=market,
        changes={"status": ["operating", "suspended"], "sign_hung": [False, True]},
    )
    client.force_login(province_user)
    body = client.get("/audit/").content.decode()
    assert "状态" in body and "运营中 → 暂停" in body
    assert "否 → 是" in body
    assert "operating" not in body
    assert 'class="form-select form-select-sm"' in body
