"""What the apps plug into the core: home-page cards, demo data, beat schedule entries.

The core names no product app. Each app registers what it contributes from its own
`AppConfig.ready()`, so adding an app means adding it to INSTALLED_APPS and nothing else:

    class MarketsConfig(AppConfig):
        name = "markets"

        def ready(self):
            from . import dashboard, demo  # noqa: PLC0415 - app modules load after the app registry

            plugins.register(self, dashboard=dashboard.dashboard_cards, demo=demo.load)

- `dashboard`: `cards(user) -> [{"title", "value", "url" (optional), "note" (optional),
  "chart" (optional: {"id", "data" for static/js/charts.js, "headers", "rows" of its table})}]`,
  collected by `gigmarket.core.dashboard.collect_cards`;
- `demo`: an idempotent `load()`, run by `manage.py load_demo`;
- `beat`: `{entry name: Celery beat entry}`, merged into `BEAT_SCHEDULE`, the one beat
  schedule (`gigmarket/celery.py` installs this dict; beat reads it after Django is set up).

Registrations keep INSTALLED_APPS order (Django calls `ready()` in that order), so an
app's demo data is loaded after the data of the apps listed before it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Plugin:
    label: str
    dashboard: Callable[[Any], list] | None = None
    demo: Callable[[], Any] | None = None
    beat: tuple[str, ...] = ()


PLUGINS: dict[str, Plugin] = {}
BEAT_SCHEDULE: dict[str, dict] = {}


def register(app_config, *, dashboard=None, demo=None, beat=None):
    """Record what `app_config`'s app contributes. Registering the same app again (the app
    registry populated anew) replaces its earlier registration."""
    label = app_config.label
    beat = dict(beat or {})
    previous = PLUGINS.pop(label, None)
    for name in previous.beat if previous else ():
        BEAT_SCHEDULE.pop(name, None)
    clash = sorted(set(beat) & set(BEAT_SCHEDULE))
    if clash:
        raise ImproperlyConfigured(f"{label}: beat entries already registered by another app: {', '.join(clash)}")
    PLUGINS[label] = Plugin(label=label, dashboard=dashboard, demo=demo, beat=tuple(beat))
    BEAT_SCHEDULE.update(beat)


def dashboards():
    """The registered card functions, in INSTALLED_APPS order."""
    return [plugin.dashboard for plugin in PLUGINS.values() if plugin.dashboard is not None]


def demo_loaders():
    """The registered demo loaders, in INSTALLED_APPS order."""
    return [plugin.demo for plugin in PLUGINS.values() if plugin.demo is not None]
