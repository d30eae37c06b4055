"""The audit log speaks Chinese: field labels and choice labels, not codes."""

from gigmarket.core.audit import audit_record


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


# 对象类型 by Chinese name, labelled keys, and the export ---------------------------------------

import io  # noqa: E402

from openpyxl import load_workbook  # noqa: E402

from gigmarket.core.models import AuditEvent  # noqa: E402
from tests.factories.registry import WorkerFactory  # noqa: E402


def _events(client, **params):
    return [e.target_repr for e in client.get("/audit/", params).context["page"]]


def test_object_type_filter_finds_markets_by_their_chinese_name(client, province_user, market):
    worker = WorkerFactory(registered_market=market, name="李四")
    audit_record(actor=province_user, action="update", target=market, changes={"address": ["旧", "新"]})
    audit_record(actor=province_user, action="update", target=worker, changes={"notes": ["", "会电焊"]})
    client.force_login(province_user)
    assert _events(client, target_type="市场") == [market.name]
    assert _events(client, target_type="零工") == [worker.name, market.name]  # 零工 and 零工市场
    assert _events(client, target_type="markets.market") == [market.name]  # the list's own value
    assert _events(client, target_type="market") == [market.name]  # English model names still work
    assert _events(client, target="李四") == [worker.name]  # the object's name


def test_object_type_is_a_list_of_the_chinese_names_that_occur(client, province_user, market):
    audit_record(actor=province_user, action="update", target=market, changes={"address": ["旧", "新"]})
    client.force_login(province_user)
    body = client.get("/audit/", {"target_type": "市场"}).content.decode()
    assert '<option value="markets.market">零工市场</option>' in body
    assert '<option value="市场" selected>名称含“市场”</option>' in body
    assert '<option value="registry.worker">' not in body  # no worker event yet
    assert '<span class="text-muted small">零工市场</span>' in body


def test_changes_that_are_not_model_fields_are_labelled(client, province_user, market):
    from tests.factories.matching import PlacementFactory, RightsCaseFactory

    case = RightsCaseFactory(worker=WorkerFactory(registered_market=market))
    placement = PlacementFactory(worker=case.worker)
    audit_record(actor=province_user, action="update", target=case, changes={"note": ["2026-03-01", "电话联系"]})
    audit_record(
        actor=province_user,
        action="update",
        target=placement,
        changes={"follow_up": ["2026-03-02", "在岗"], "next_follow_up": [None, "2026-04-01"]},
    )
    client.force_login(province_user)
    body = client.get("/audit/").content.decode()
    assert "办理记录</span>：2026-03-01：电话联系" in body
    assert "跟踪回访</span>：2026-03-02：在岗" in body
    assert "下次跟踪回访日期</span>：（空） → 2026-04-01" in body
    assert "note：" not in body and "follow_up" not in body


def test_audit_export_is_scoped_and_filtered_like_the_list_and_audited(client, county_user, county2_user, market):
    other = AuditEvent.objects.create(action="update", target_repr="云岩区的事", county=county2_user.division)
    audit_record(actor=county_user, action="update", target=market, changes={"address": ["旧", "=HYPERLINK(1)"]})
    audit_record(actor=county_user, action="login", county=county_user.division)
    client.force_login(county_user)
    response = client.get("/audit/export/", {"target_type": "市场"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1] == ("时间", "操作账号", "操作", "对象类型", "对象", "区划", "变更内容", "IP地址")
    assert [r[3:6] for r in rows[2:]] == [("零工市场", market.name, "南明区")]
    assert rows[2][6] == "地址：旧 → =HYPERLINK(1)"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert other.target_repr not in str(rows)
    export = AuditEvent.objects.get(action="export")
    assert export.target_repr == "审计日志(XLSX)" and export.county == county_user.division
    assert export.changes["rows"] == 1 and export.changes["filters"] == {"target_type": "名称含“市场”"}


def test_audit_export_refuses_a_post(client, province_user):
    client.force_login(province_user)
    assert client.post("/audit/export/").status_code == 405
    assert not AuditEvent.objects.filter(action="export").exists()


def test_audit_list_query_count_does_not_grow_with_rows(client, province_user, market, django_assert_num_queries):
    for n in range(3):
        audit_record(actor=province_user, action="update", target=market, changes={"address": [str(n), "新"]})
    client.force_login(province_user)
    client.get("/audit/")  # fills the cached list of object types
    # session, user, unread notifications, capped count, divisions of the rows' counties, the rows
    with django_assert_num_queries(5) as first:  # issue 19: the menu's division comes with the user
        client.get("/audit/")
    for n in range(30):
        audit_record(actor=province_user, action="update", target=market, changes={"address": [str(n), "新"]})
    with django_assert_num_queries(len(first.captured_queries)):
        client.get("/audit/")


def test_audit_export_says_when_it_was_cut_at_the_limit(client, province_user, market, monkeypatch):
    monkeypatch.setattr("gigmarket.core.audit_export_job.AUDIT_EXPORT_MAX_ROWS", 2)
    client.force_login(province_user)  # audited too: the oldest row
    for n in range(3):
        audit_record(actor=province_user, action="update", target=market, changes={"address": [str(n), "新"]})
    rows = list(load_workbook(io.BytesIO(client.get("/audit/export/").content)).active.iter_rows(values_only=True))
    assert [r[6] for r in rows[2:4]] == ["地址：2 → 新", "地址：1 → 新"]  # newest first
    assert rows[4][0] == "仅导出了最近的 2 条，请缩小筛选范围后分次导出。"
    export = AuditEvent.objects.get(action="export")
    assert export.changes["rows"] == 2 and export.changes["filters"] == {"truncated": "是"}
