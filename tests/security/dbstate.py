"""Fingerprints of the portal's tables, to prove a refused request changed nothing."""

import hashlib

from django.apps import apps

APP_LABELS = ("gigmarket", "markets", "registry", "matching", "reporting")


def business_models():
    """Every concrete model of our apps (AuditEvent included; sessions and axes are not ours)."""
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label in APP_LABELS and model._meta.managed and not model._meta.proxy
    ]


def fingerprint(models=None):
    """{table: digest of all its rows}."""
    out = {}
    for model in models or business_models():
        rows = model._base_manager.order_by("pk").values_list()
        out[model._meta.db_table] = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
    return out


def changed_tables(before, models=None):
    after = fingerprint(models)
    return sorted(table for table, digest in after.items() if before.get(table) != digest)


def row_counts(models=None):
    return {model._meta.db_table: model._base_manager.count() for model in models or business_models()}
