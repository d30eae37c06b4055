from django.apps import AppConfig


class BenchConfig(AppConfig):
    """No models: `manage.py generate_data` (bench.generate) fills a database for the benchmark."""

    name = "bench"
    verbose_name = "压测数据"
