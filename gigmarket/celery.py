"""Celery application. Tasks stay thin: they look rows up and call services."""

import os

from celery import Celery

from gigmarket.core.plugins import BEAT_SCHEDULE

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gigmarket.settings")

app = Celery("gigmarket")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# One beat schedule: each app adds its entries from its AppConfig.ready() (gigmarket/core/plugins.py).
# Beat reads it after Django is set up (Celery's Django fix-up runs django.setup() first).
app.conf.beat_schedule = BEAT_SCHEDULE


@app.on_after_configure.connect
def _make_filesystem_broker_folders(sender, **kwargs):
    """The embedded default broker keeps messages in folders under var/; create them."""
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            os.makedirs(options[key], exist_ok=True)
