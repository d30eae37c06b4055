"""Personal data: keyed hashes for exact lookup, encryption at rest, masking for display.

The key comes from settings.PII_KEY (environment in production). Two keys are derived
from it: one for HMAC-SHA256 lookup hashes, one for Fernet (AES-128-CBC + HMAC)
encryption. A stored ID number is therefore never in plaintext, yet can be found
exactly by hashing the typed value.
"""

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _derive(purpose):
    return hmac.new(settings.PII_KEY.encode(), purpose.encode(), hashlib.sha256).digest()


@lru_cache(maxsize=4)
def _fernet(key):
    return Fernet(base64.urlsafe_b64encode(hmac.new(key.encode(), b"encrypt", hashlib.sha256).digest()))


def lookup_hash(value):
    """Deterministic keyed hash (hex) of a normalised value, for exact-match lookups."""
    return hmac.new(_derive("lookup"), value.encode(), hashlib.sha256).hexdigest()


def encrypt(value):
    return _fernet(settings.PII_KEY).encrypt(value.encode()).decode()


def decrypt(token):
    try:
        return _fernet(settings.PII_KEY).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("cannot decrypt personal data: wrong PII_KEY or damaged value") from exc


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
