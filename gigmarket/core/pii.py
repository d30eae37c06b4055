"""Personal data: keyed hashes for exact lookup, encryption at rest, masking for display.

Keys come from the environment (docs/configuration.md, docs/security.md "Key management"):

- `PII_KEYS` is a keyring, comma-separated `id:secret` entries. Every key is accepted for
  reading; the first one writes. The older single `PII_KEY` still works and is then the
  one key, with the id `legacy`.
- `PII_CIPHER` chooses the cipher new values are written with: `fernet` (AES-128-CBC +
  HMAC-SHA256, as before) or `sm4` (SM4-GCM, GB/T 32907 + GCM, for 密评).
- `PII_HASH` chooses the lookup hash: `sha256` (HMAC-SHA256) or `sm3` (HMAC-SM3).

A ciphertext names its algorithm and key id in front, `sm4gcm$k2$<base64>` or
`fernet$k2$<Fernet token>`; a bare Fernet token (written before the keyring) belongs to
the `legacy` key. So `decrypt` always knows which key to use, and `manage.py pii_rekey`
knows which rows are not yet under the writing key.

A lookup hash is 64 hex characters under either hash, and carries no key id: during a
rotation a stored hash may be under any accepted key, so queries match
`lookup_hashes(value)` (one hash per accepted key and hash algorithm), while new rows
store `lookup_hash(value)` (writing key, configured hash).

Keys per key id: Fernet and HMAC-SHA256 keys are derived from the secret exactly as
before the keyring (so existing data stays readable); SM4 and HMAC-SM3 keys are derived
with HMAC-SM3 from the secret and the key id. A key id is therefore permanent: renaming
it makes its SM4 data unreadable.
"""

import base64
import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag, UnsupportedAlgorithm
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.backends.openssl import backend
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

LEGACY_KEY_ID = "legacy"
CIPHERS = {"fernet": "fernet", "sm4": "sm4gcm"}  # setting value -> token tag
HASHES = ("sha256", "sm3")
KEY_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
MIN_SECRET_LENGTH = 32  # for PII_KEYS entries; secrets.token_urlsafe(32) gives 43
NONCE_BYTES = 12  # 96-bit GCM nonce, random per encryption
TAG_BYTES = 16


@dataclass(frozen=True)
class Keyring:
    keys: dict  # key id -> secret (bytes), writing key first
    writing: str
    cipher: str  # "fernet" | "sm4"
    hash: str  # "sha256" | "sm3"

    @property
    def prefix(self):
        """What every ciphertext written now begins with."""
        return f"{CIPHERS[self.cipher]}${self.writing}$"


def parse_keyring(pii_keys="", pii_key="", cipher="fernet", hash_name="sha256"):
    """Validate the key settings; raises ImproperlyConfigured with the reason."""
    cipher = (cipher or "fernet").strip().lower()
    hash_name = (hash_name or "sha256").strip().lower()
    if cipher not in CIPHERS:
        raise ImproperlyConfigured(f"PII_CIPHER must be one of {', '.join(CIPHERS)}, got {cipher!r}")
    if hash_name not in HASHES:
        raise ImproperlyConfigured(f"PII_HASH must be one of {', '.join(HASHES)}, got {hash_name!r}")
    entries = pii_keys if isinstance(pii_keys, (list, tuple)) else (pii_keys or "").split(",")
    entries = [entry.strip() for entry in entries if entry.strip()]
    if entries and pii_key:
        raise ImproperlyConfigured("set PII_KEYS or PII_KEY, not both (put the old PII_KEY in PII_KEYS as legacy:...)")
    keys = {}
    if entries:
        for entry in entries:
            key_id, sep, secret = entry.partition(":")
            key_id, secret = key_id.strip(), secret.strip()
            if not sep or not secret:
                raise ImproperlyConfigured(f"PII_KEYS entries are id:secret, {key_id!r} has no secret")
            if not KEY_ID_RE.match(key_id):
                raise ImproperlyConfigured(f"PII_KEYS key id {key_id!r} must be 1-16 of A-Z a-z 0-9 _ -")
            if key_id in keys:
                raise ImproperlyConfigured(f"PII_KEYS names key id {key_id!r} twice")
            # The legacy key is the old PII_KEY, whatever its length; new keys must be long.
            if key_id != LEGACY_KEY_ID and len(secret) < MIN_SECRET_LENGTH:
                raise ImproperlyConfigured(
                    f"PII_KEYS secret of {key_id!r} is shorter than {MIN_SECRET_LENGTH} characters"
                )
            if secret.encode() in keys.values():
                raise ImproperlyConfigured(f"PII_KEYS secret of {key_id!r} repeats another key's secret")
            keys[key_id] = secret.encode()
    elif pii_key:
        keys[LEGACY_KEY_ID] = pii_key.encode()
    else:
        raise ImproperlyConfigured("no personal-data key: set PII_KEYS (or PII_KEY)")
    check_algorithms(cipher, hash_name)
    return Keyring(keys=keys, writing=next(iter(keys)), cipher=cipher, hash=hash_name)


def check_algorithms(cipher, hash_name):
    """Fail loudly when the OpenSSL under `cryptography` lacks the configured algorithm."""
    try:
        if cipher == "sm4":
            key, nonce = os.urandom(16), os.urandom(NONCE_BYTES)
            token = _sm4_seal(key, nonce, b"check", b"aad")
            if _sm4_open(key, token, b"aad") != b"check":
                raise ImproperlyConfigured("SM4-GCM self-test failed")
        if cipher == "sm4" or hash_name == "sm3":
            _hmac_sm3(b"k", b"check")
    except (UnsupportedAlgorithm, ValueError) as exc:
        raise ImproperlyConfigured(
            f"PII_CIPHER={cipher} / PII_HASH={hash_name} needs SM4-GCM and SM3, which {backend.openssl_version_text()} "
            f"under cryptography does not provide ({exc})"
        ) from exc


_last = [None, None]  # (raw settings, Keyring) of the last call: settings rarely change


def keyring():
    """The keyring from the current settings (parsed again only when they change)."""
    raw = (
        getattr(settings, "PII_KEYS", ""),
        getattr(settings, "PII_KEY", ""),
        getattr(settings, "PII_CIPHER", "fernet"),
        getattr(settings, "PII_HASH", "sha256"),
    )
    if raw != _last[0]:
        keys = tuple(raw[0]) if isinstance(raw[0], list) else raw[0]
        _last[:] = [raw, parse_keyring(keys, *raw[1:])]
    return _last[1]


# Primitives -----------------------------------------------------------------------


def _hmac_sm3(key, data):
    h = crypto_hmac.HMAC(key, hashes.SM3())
    h.update(data)
    return h.finalize()


def _sm4_seal(key, nonce, plaintext, aad):
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    body = encryptor.update(plaintext) + encryptor.finalize()
    return nonce + body + encryptor.tag


def _sm4_open(key, raw, aad):
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise ValueError("SM4-GCM token too short")
    nonce, body, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(aad)
    return decryptor.update(body) + decryptor.finalize()


@lru_cache(maxsize=32)
def _fernet(secret):
    return Fernet(base64.urlsafe_b64encode(hmac.new(secret, b"encrypt", hashlib.sha256).digest()))


@lru_cache(maxsize=32)
def _sm4_key(secret, key_id):
    return _hmac_sm3(secret, b"gigmarket-pii sm4gcm " + key_id.encode())[:16]


@lru_cache(maxsize=64)
def _lookup_key(secret, key_id, hash_name):
    if hash_name == "sha256":
        return hmac.new(secret, b"lookup", hashlib.sha256).digest()
    return _hmac_sm3(secret, b"gigmarket-pii lookup-sm3 " + key_id.encode())


def _hash(secret, key_id, hash_name, value):
    key = _lookup_key(secret, key_id, hash_name)
    if hash_name == "sha256":
        return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
    return _hmac_sm3(key, value.encode()).hex()


# Public API -----------------------------------------------------------------------


def lookup_hash(value):
    """Keyed hash (64 hex) of a normalised value under the writing key, to store."""
    ring = keyring()
    return _hash(ring.keys[ring.writing], ring.writing, ring.hash, value)


def lookup_hashes(value):
    """The value's hash under every accepted key and hash algorithm, writing one first.

    For queries while stored hashes may be under an older key: `filter(x_hash__in=...)`.
    """
    ring = keyring()
    result = [lookup_hash(value)]
    for key_id, secret in ring.keys.items():
        for hash_name in (ring.hash, *(h for h in HASHES if h != ring.hash)):
            digest = _hash(secret, key_id, hash_name, value)
            if digest not in result:
                result.append(digest)
    return result


def encrypt(value):
    """Ciphertext of `value` under the writing key and the configured cipher."""
    ring = keyring()
    prefix = ring.prefix
    secret = ring.keys[ring.writing]
    if ring.cipher == "fernet":
        return prefix + _fernet(secret).encrypt(value.encode()).decode()
    raw = _sm4_seal(_sm4_key(secret, ring.writing), os.urandom(NONCE_BYTES), value.encode(), prefix.encode())
    return prefix + base64.urlsafe_b64encode(raw).decode()


def token_key(token):
    """(token tag, key id) a ciphertext was written with: ("fernet", "legacy") for a bare Fernet token."""
    if "$" not in token:
        return CIPHERS["fernet"], LEGACY_KEY_ID
    tag, key_id, _ = token.split("$", 2)
    return tag, key_id


def is_current(token):
    """Whether a ciphertext is already under the writing key and configured cipher."""
    return token.startswith(keyring().prefix)


def decrypt(token):
    """Plaintext of a ciphertext written under any accepted key; ValueError otherwise."""
    ring = keyring()
    if "$" in token:
        tag, key_id, body = token.split("$", 2)
    else:
        tag, key_id, body = CIPHERS["fernet"], LEGACY_KEY_ID, token
    secret = ring.keys.get(key_id)
    if secret is None:
        raise ValueError(f"cannot decrypt personal data: key {key_id!r} is not in PII_KEYS (retired too early?)")
    try:
        if tag == CIPHERS["fernet"]:
            return _fernet(secret).decrypt(body.encode()).decode()
        if tag == CIPHERS["sm4"]:
            raw = base64.urlsafe_b64decode(body.encode())
            return _sm4_open(_sm4_key(secret, key_id), raw, f"{tag}${key_id}$".encode()).decode()
    except (InvalidToken, InvalidTag, ValueError, UnsupportedAlgorithm) as exc:
        raise ValueError(f"cannot decrypt personal data under key {key_id!r}: wrong key or damaged value") from exc
    raise ValueError(f"cannot decrypt personal data: unknown algorithm {tag!r}")


def mask_id_number(value):
    """5201**********123X: first 4 and last 4 characters kept."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value):
    """138****5678."""
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


@dataclass(frozen=True)
class PiiColumns:
    """A model's personal-data columns, declared once for `manage.py pii_rekey`.

    `encrypted`: columns holding `encrypt()` output ("" or NULL for no value).
    `hashes`: {column: function(row) -> new value}, where `row` maps each encrypted
    column to its plaintext (None when empty) and each `plain` column to its value;
    the function computes the column with `lookup_hash`, as the model does on save.
    """

    encrypted: tuple
    hashes: dict = None
    plain: tuple = ()

    @property
    def columns(self):
        return (*self.encrypted, *(self.hashes or {}))
