import base64
import hashlib
import hmac
import os
import subprocess
import sys

import pytest
from cryptography.exceptions import InvalidTag, UnsupportedAlgorithm
from cryptography.fernet import Fernet
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured

from gigmarket.core import pii

ID = "52010219900307123X"
K2 = "k2-" + "b" * 40
K3 = "k3-" + "c" * 40


def test_lookup_hash_is_deterministic_and_keyed(settings):
    first = pii.lookup_hash(ID)
    assert first == pii.lookup_hash(ID)
    assert ID not in first
    settings.PII_KEY = "another-key"
    assert pii.lookup_hash(ID) != first


def test_encrypt_round_trip_without_plaintext():
    token = pii.encrypt(ID)
    assert ID not in token
    assert pii.decrypt(token) == ID


def test_masks():
    assert pii.mask_id_number(ID) == "5201**********123X"
    assert pii.mask_phone("13812345678") == "138****5678"
    assert pii.mask_phone("") == ""


# Data written before the keyring -------------------------------------------------------


def _old_code_token(key, value):
    """What gigmarket/core/pii.py wrote before the keyring: a bare Fernet token."""
    fernet_key = base64.urlsafe_b64encode(hmac.new(key.encode(), b"encrypt", hashlib.sha256).digest())
    return Fernet(fernet_key).encrypt(value.encode()).decode()


def _old_code_hash(key, value):
    lookup_key = hmac.new(key.encode(), b"lookup", hashlib.sha256).digest()
    return hmac.new(lookup_key, value.encode(), hashlib.sha256).hexdigest()


def test_values_stored_before_the_keyring_still_decrypt_and_match(settings):
    old_token = _old_code_token(settings.PII_KEY, ID)
    assert pii.decrypt(old_token) == ID
    assert pii.lookup_hash(ID) == _old_code_hash(settings.PII_KEY, ID)


def test_the_old_pii_key_is_the_legacy_entry_of_a_keyring(settings):
    old_key = settings.PII_KEY
    old_token = _old_code_token(old_key, ID)
    settings.PII_KEY = ""
    settings.PII_KEYS = f"k2:{K2},legacy:{old_key}"
    assert pii.decrypt(old_token) == ID
    assert _old_code_hash(old_key, ID) in pii.lookup_hashes(ID)


# Keyring ---------------------------------------------------------------------------


@pytest.fixture
def rotating(settings):
    """k2 writes with SM4-GCM and HMAC-SM3; k3 and the legacy key are still read."""
    old_key = settings.PII_KEY
    settings.PII_KEY = ""
    settings.PII_KEYS = f"k2:{K2}, k3:{K3}, legacy:{old_key}"
    settings.PII_CIPHER = "sm4"
    settings.PII_HASH = "sm3"
    return settings


def test_new_values_name_their_algorithm_and_key(rotating):
    token = pii.encrypt(ID)
    assert token.startswith("sm4gcm$k2$")
    assert pii.token_key(token) == ("sm4gcm", "k2")
    assert pii.is_current(token)
    assert pii.decrypt(token) == ID


def test_every_encryption_uses_a_fresh_96_bit_nonce(rotating):
    tokens = [pii.encrypt(ID) for _ in range(50)]
    raws = [base64.urlsafe_b64decode(t.split("$", 2)[2]) for t in tokens]
    assert len({raw[:12] for raw in raws}) == 50
    # nonce + SM4-GCM ciphertext (same length as the plaintext) + 16-byte tag
    assert {len(raw) for raw in raws} == {12 + len(ID) + 16}


def test_a_changed_ciphertext_is_refused(rotating):
    token = pii.encrypt(ID)
    raw = bytearray(base64.urlsafe_b64decode(token.split("$", 2)[2]))
    raw[14] ^= 1
    damaged = "sm4gcm$k2$" + base64.urlsafe_b64encode(bytes(raw)).decode()
    with pytest.raises(ValueError, match="damaged"):
        pii.decrypt(damaged)


def test_a_ciphertext_relabelled_with_another_key_id_is_refused(rotating):
    body = pii.encrypt(ID).split("$", 2)[2]
    with pytest.raises(ValueError):
        pii.decrypt("sm4gcm$k3$" + body)


def test_associated_data_binds_the_algorithm_and_key_id(rotating):
    ring = pii.keyring()
    key = pii._sm4_key(ring.keys["k2"], "k2")
    raw = base64.urlsafe_b64decode(pii.encrypt(ID).split("$", 2)[2])
    assert pii._sm4_open(key, raw, b"sm4gcm$k2$") == ID.encode()
    with pytest.raises(InvalidTag):
        pii._sm4_open(key, raw, b"sm4gcm$k9$")


def test_values_under_any_accepted_key_decrypt(rotating):
    rotating.PII_KEYS = f"k3:{K3}"
    rotating.PII_CIPHER = "fernet"
    under_k3 = pii.encrypt(ID)
    assert under_k3.startswith("fernet$k3$")
    rotating.PII_KEYS = f"k2:{K2},k3:{K3}"
    rotating.PII_CIPHER = "sm4"
    assert not pii.is_current(under_k3)
    assert pii.decrypt(under_k3) == ID


def test_a_retired_key_says_so(rotating):
    token = pii.encrypt(ID)
    rotating.PII_KEYS = f"k3:{K3}"
    with pytest.raises(ValueError, match="'k2' is not in PII_KEYS"):
        pii.decrypt(token)


def test_lookup_hashes_cover_every_accepted_key_and_hash_writing_one_first(rotating):
    legacy = rotating.PII_KEYS.rsplit("legacy:", 1)[1]
    hashes = pii.lookup_hashes(ID)
    assert hashes[0] == pii.lookup_hash(ID)
    assert _old_code_hash(legacy, ID) in hashes
    assert len(hashes) == len(set(hashes)) == 6  # 3 keys x 2 hash algorithms
    assert all(len(h) == 64 and int(h, 16) >= 0 for h in hashes)


def test_sm3_hash_differs_from_sha256_and_fits_the_column(settings):
    sha = pii.lookup_hash(ID)
    settings.PII_HASH = "sm3"
    sm3 = pii.lookup_hash(ID)
    assert len(sm3) == 64 and sm3 != sha
    assert pii.lookup_hash(ID) == sm3


def test_openssl_sm3_gives_the_standard_answer():
    # GB/T 32905-2016 appendix A.1: SM3("abc")
    from cryptography.hazmat.primitives import hashes

    digest = hashes.Hash(hashes.SM3())
    digest.update(b"abc")
    assert digest.finalize().hex() == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


# Start-up validation -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("keys", "legacy", "cipher", "hash_name", "message"),
    [
        ("k2", "", "fernet", "sha256", "has no secret"),
        ("k2:", "", "fernet", "sha256", "has no secret"),
        (f"k$2:{K2}", "", "fernet", "sha256", "must be 1-16"),
        (f"k2:{K2},k2:{K3}", "", "fernet", "sha256", "twice"),
        ("k2:short", "", "fernet", "sha256", "shorter than 32"),
        (f"k2:{K2},k3:{K2}", "", "fernet", "sha256", "repeats"),
        (f"k2:{K2}", "old", "fernet", "sha256", "not both"),
        ("", "", "fernet", "sha256", "no personal-data key"),
        (f"k2:{K2}", "", "aes", "sha256", "PII_CIPHER must be one of fernet, sm4"),
        (f"k2:{K2}", "", "sm4", "md5", "PII_HASH must be one of sha256, sm3"),
    ],
)
def test_bad_key_settings_fail_loudly(keys, legacy, cipher, hash_name, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        pii.parse_keyring(keys, legacy, cipher, hash_name)


def test_the_first_key_writes_and_a_short_legacy_key_is_accepted():
    ring = pii.parse_keyring(f"k2:{K2},legacy:old-short", "", "SM4", "sm3")
    assert (ring.writing, list(ring.keys), ring.cipher, ring.hash) == ("k2", ["k2", "legacy"], "sm4", "sm3")
    assert ring.prefix == "sm4gcm$k2$"


def test_an_openssl_without_sm4_stops_start_up(monkeypatch):
    def unsupported(*args):
        raise UnsupportedAlgorithm("sm4 not available")

    monkeypatch.setattr(pii, "_sm4_seal", unsupported)
    with pytest.raises(ImproperlyConfigured, match="needs SM4-GCM and SM3"):
        pii.parse_keyring(f"k2:{K2}", "", "sm4", "sha256")
    pii.parse_keyring(f"k2:{K2}", "", "fernet", "sha256")  # Fernet needs no SM4


def _manage_check(**env):
    dropped = ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")  # tests.settings would force DEBUG on
    base = {k: v for k, v in os.environ.items() if not k.startswith("PII_") and k not in dropped}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=django_settings.BASE_DIR,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_portal_does_not_start_with_a_bad_keyring():
    result = _manage_check(PII_KEYS="k2:tooshort", PII_CIPHER="sm4")
    assert result.returncode != 0
    assert "shorter than 32" in result.stderr
    result = _manage_check(PII_KEYS=f"k2:{K2}", PII_CIPHER="sm5")
    assert result.returncode != 0
    assert "PII_CIPHER must be one of" in result.stderr


def test_the_portal_starts_with_a_keyring_and_sm4():
    result = _manage_check(PII_KEYS=f"k2:{K2},legacy:old", PII_CIPHER="sm4", PII_HASH="sm3")
    assert result.returncode == 0, result.stderr


def test_production_starts_with_pii_keys_instead_of_pii_key():
    production = {
        "DEBUG": "0",
        "SECRET_KEY": "pK3-vQ8_zR1wX6tY9uB2nM5cL7hJ4gF0dS-aE8iO1pU3yT6rW9qZ",
        "ALLOWED_HOSTS": "a.example",
    }
    result = _manage_check(**production, PII_KEYS=f"k2:{K2}", PII_CIPHER="sm4", PII_HASH="sm3")
    assert result.returncode == 0, result.stderr
    result = _manage_check(**production)
    assert result.returncode != 0
    assert "PII_KEY must be set" in result.stderr
