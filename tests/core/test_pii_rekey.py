"""Key rotation end to end: `manage.py pii_rekey` moves personal data to a new key and cipher.

The rotation tests run on PostgreSQL (row locks, real commits between batches); on SQLite
they are skipped with the reason shown. The dry-run and hash-only tests run everywhere.
"""

import datetime
import uuid
from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from gigmarket.core import pii, rekey
from gigmarket.core.models import AuditEvent
from registry.models import Employer, WindowVisit, Worker
from registry.selectors import worker_by_id_number, worker_search
from tests.factories.registry import WorkerFactory, id_number_for

K2 = "k2-" + "r" * 40
IDS = [id_number_for(n, birth=datetime.date(1980 + n, 3, 4)) for n in range(5)]

# Re-keying is tested on PostgreSQL (tests/conftest.py skips these elsewhere).
on_postgres = pytest.mark.postgres


def run(*args):
    out = StringIO()
    call_command("pii_rekey", *args, stdout=out)
    return out.getvalue()


def rekey_audits():
    return list(AuditEvent.objects.filter(target_repr__startswith="个人信息重新加密").order_by("id"))


def stored():
    return dict(Worker.objects.order_by("pk").values_list("pk", "id_encrypted"))


def found_by_every_lookup(clerk):
    for id_number in IDS:
        worker = worker_by_id_number(id_number)
        assert worker is not None and worker.full_id_number() == id_number
        qs, _ = worker_search(clerk, id_number)
        assert list(qs) == [worker]
    return True


@pytest.fixture
def workers(clerk):
    """Five workers written under the single PII_KEY with Fernet, as before the keyring."""
    return [WorkerFactory(id_number=n, registered_market=clerk.market) for n in IDS]


def rotate_to_sm4(settings):
    """New key k2 writes with SM4-GCM + HMAC-SM3; the old PII_KEY stays readable as legacy."""
    old_key = settings.PII_KEY
    settings.PII_KEY = ""
    settings.PII_KEYS = f"k2:{K2},legacy:{old_key}"
    settings.PII_CIPHER = "sm4"
    settings.PII_HASH = "sm3"


@on_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_rotation_from_fernet_to_sm4_keeps_every_worker_findable(settings, clerk, workers, client):
    assert all(not token.startswith("sm4gcm$") for token in stored().values())
    assert found_by_every_lookup(clerk)

    rotate_to_sm4(settings)
    # Before any row is re-keyed, the old rows are read and found under the new settings.
    assert found_by_every_lookup(clerk)

    out = run("--batch-size", "2", "--max-batches", "1")
    assert "registry.Worker：已重新加密 2 / 5 行" in out
    assert "未处理完" in out
    tokens = stored()
    assert sum(t.startswith("sm4gcm$k2$") for t in tokens.values()) == 2
    rekeyed = [w for w in Worker.objects.order_by("pk") if w.id_encrypted.startswith("sm4gcm$k2$")]
    # The first batch by primary key, with ciphertext and hash both under k2.
    assert [w.pk for w in rekeyed] == [w.pk for w in workers[:2]]
    for worker in rekeyed:
        assert worker.id_hash == pii.lookup_hash(worker.full_id_number())

    # Mid-way: old and new rows are both found, and a clerk registering a known 身份证号
    # whose row is still under the old key gets the existing worker, not a duplicate.
    assert found_by_every_lookup(clerk)
    client.force_login(clerk)
    response = client.post(
        reverse("registry:worker_register"),
        {
            "name": Worker.objects.get(pk=workers[4].pk).name,
            "id_number": IDS[4],
            "mobile": "13812345678",
            "expected_pay": "200",
            "pay_unit": "day",
            "token": str(uuid.uuid4()),  # the registration form's one-time token
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    assert Worker.objects.count() == 5
    assert WindowVisit.objects.filter(worker_id=workers[4].pk).exists()

    out = run("--batch-size", "2")
    assert "合计已重新加密 3 行，2 批。" in out
    assert all(t.startswith("sm4gcm$k2$") for t in stored().values())
    assert found_by_every_lookup(clerk)

    # Nothing left: a further run changes nothing.
    before = stored()
    assert "合计已重新加密 0 行" in run("--batch-size", "2")
    assert stored() == before

    # Retire the old key: everything still decrypts and is found.
    settings.PII_KEYS = f"k2:{K2}"
    assert len(pii.lookup_hashes(IDS[0])) == 2  # one key, two hash algorithms
    assert found_by_every_lookup(clerk)
    assert [w.full_id_number() for w in Worker.objects.order_by("pk")] == IDS

    audits = rekey_audits()
    assert [(a.changes["rekeyed"], a.changes["interrupted"]) for a in audits] == [(2, True), (3, False), (0, False)]
    assert audits[0].changes["key_id"] == "k2" and audits[0].changes["cipher"] == "sm4"
    assert audits[0].changes["pending"] == 5


@on_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_interrupted_run_keeps_finished_batches_and_resumes(settings, clerk, workers):
    rotate_to_sm4(settings)
    real_write = rekey.write_batch
    calls = []

    def crash_on_second_batch(model, objs, columns):
        calls.append(len(objs))
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real_write(model, objs, columns)

    with (
        mock.patch.object(rekey, "write_batch", crash_on_second_batch),
        pytest.raises(KeyboardInterrupt),
    ):
        run("--batch-size", "2")

    # Batch 1 committed; batch 2 rolled back as a whole (no row with a new ciphertext
    # beside an old hash); the run is audited as interrupted.
    tokens = stored()
    assert sum(t.startswith("sm4gcm$k2$") for t in tokens.values()) == 2
    for worker in Worker.objects.all():
        under_k2 = worker.id_encrypted.startswith("sm4gcm$k2$")
        assert (worker.id_hash == pii.lookup_hash(worker.full_id_number())) == under_k2
    assert rekey_audits()[-1].changes["interrupted"] is True
    assert found_by_every_lookup(clerk)

    out = run("--batch-size", "2")
    assert "开始时待处理 3 行，已重新加密 3 行" in out
    assert all(t.startswith("sm4gcm$k2$") for t in stored().values())
    settings.PII_KEYS = f"k2:{K2}"
    assert found_by_every_lookup(clerk)


@on_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_row_no_key_can_read_is_reported_and_left_alone(settings, clerk, workers):
    Worker.objects.filter(pk=workers[1].pk).update(id_encrypted="fernet$gone$gAAAAAxyz")
    rotate_to_sm4(settings)
    with pytest.raises(CommandError, match=rf"1 行无法用可读密钥解密.*pk=\[{workers[1].pk}\]"):
        run("--batch-size", "2")
    assert Worker.objects.get(pk=workers[1].pk).id_encrypted == "fernet$gone$gAAAAAxyz"
    assert sum(t.startswith("sm4gcm$k2$") for t in stored().values()) == 4
    assert rekey_audits()[-1].changes["failed"] == 1


def test_dry_run_reads_everything_writes_nothing_and_is_audited(settings, clerk, workers):
    rotate_to_sm4(settings)
    before = stored()
    out = run("--dry-run", "--batch-size", "2")
    assert "试运行" in out
    assert "合计可重新加密 5 行，3 批。" in out
    assert stored() == before
    (audit,) = rekey_audits()
    assert audit.changes["dry_run"] is True and audit.changes["rekeyed"] == 5


def test_changing_only_the_hash_needs_all_and_then_rehashes(settings, clerk, workers):
    rotate_to_sm4(settings)
    settings.PII_HASH = "sha256"
    run()
    settings.PII_HASH = "sm3"
    # Ciphertexts are current, so a plain run has nothing to do; hashes are still found.
    assert "合计已重新加密 0 行" in run()
    assert found_by_every_lookup(clerk)
    out = run("--all")
    assert "合计已重新加密 5 行" in out
    for worker in Worker.objects.all():
        assert worker.id_hash == pii.lookup_hash(worker.full_id_number())


def test_the_command_walks_every_model_that_declares_its_columns():
    assert Worker in rekey.pii_models()
    assert Employer in rekey.pii_models()
    assert Worker.PII_COLUMNS.columns == (
        "id_encrypted",
        "mobile_encrypted",
        "emergency_phone_encrypted",
        "id_hash",
        "name_last4_hash",
        "mobile_hash",
    )
    assert Employer.PII_COLUMNS.columns == ("phone_encrypted", "phone_hash")


def test_bad_arguments_are_refused(db):
    with pytest.raises(CommandError, match="--batch-size 至少为 1"):
        run("--batch-size", "0")


def test_the_re_key_run_shows_on_the_province_audit_page(settings, clerk, workers, client, province_user):
    rotate_to_sm4(settings)
    run("--batch-size", "2")
    client.force_login(province_user)
    response = client.get(reverse("audit_list"))
    assert response.status_code == 200
    assert "个人信息重新加密 pii_rekey" in response.content.decode()
