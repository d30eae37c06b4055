"""Speed of the personal-data primitives through gigmarket.core.pii, in µs per operation.

    .venv/bin/python bench/pii_speed.py [--number 20000]

Encrypt, decrypt and lookup hash of an 18-character 身份证号 under Fernet vs SM4-GCM and
HMAC-SHA256 vs HMAC-SM3, each the best of 5 repeats. Numbers are recorded in
docs/security.md ("Cost").
"""

import argparse
import os
import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gigmarket.settings")

import django  # noqa: E402

django.setup()

from cryptography.hazmat.backends.openssl import backend  # noqa: E402
from django.conf import settings  # noqa: E402

from gigmarket.core import pii  # noqa: E402

VALUE = "52010219900307123X"
KEYS = "k2:" + "x" * 43 + ",legacy:" + "y" * 26


def best_us(statement, number):
    return min(timeit.repeat(statement, number=number, repeat=5)) / number * 1e6


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--number", type=int, default=20000)
    number = parser.parse_args().number
    settings.PII_KEY = ""
    settings.PII_KEYS = KEYS
    print(f"{backend.openssl_version_text()}, cryptography, {number} ops x best of 5")
    print(f"{'operation':<34}{'µs/op':>8}")
    for cipher in ("fernet", "sm4"):
        settings.PII_CIPHER = cipher
        token = pii.encrypt(VALUE)
        print(f"{'encrypt ' + cipher:<34}{best_us(lambda: pii.encrypt(VALUE), number):>8.1f}")
        print(f"{'decrypt ' + cipher:<34}{best_us(lambda t=token: pii.decrypt(t), number):>8.1f}")
        print(f"{'  token length ' + cipher:<34}{len(token):>8}")
    for hash_name in ("sha256", "sm3"):
        settings.PII_HASH = hash_name
        print(f"{'lookup_hash ' + hash_name:<34}{best_us(lambda: pii.lookup_hash(VALUE), number):>8.1f}")
    settings.PII_HASH = "sm3"
    print(f"{'lookup_hashes (2 keys x 2 hashes)':<34}{best_us(lambda: pii.lookup_hashes(VALUE), number):>8.1f}")


if __name__ == "__main__":
    main()
