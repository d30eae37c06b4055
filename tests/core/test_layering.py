"""The core is below the product apps: it imports none of them, and only the wiring names them.

Layout: `gigmarket/` holds the wiring (settings, urls, celery, wsgi, asgi); `gigmarket/core/`
is the core app (divisions, users, scoping, audit); markets, registry, matching, reporting
and bench are the product apps. Product apps plug into the core themselves
(`gigmarket.core.plugins.register` from their AppConfig.ready()).
"""

import ast
import io
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from gigmarket.core import plugins
from gigmarket.core.dashboard import collect_cards

ROOT = Path(settings.BASE_DIR)
CORE = ROOT / "gigmarket" / "core"
PRODUCT_APPS = ("markets", "registry", "matching", "reporting", "bench")
# A string that names a product app as something to import: "markets" or "markets.demo".
# Lazy model references ("markets.Market", the User.market foreign key) are relations, not imports.
APP_MODULE_STRING = re.compile(rf"^({'|'.join(PRODUCT_APPS)})(\.[a-z_][a-z0-9_.]*)?$")


def _imported_modules(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def _named_app_strings(tree):
    docstrings = {
        id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    for node in ast.walk(tree):
        is_string = isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
        if is_string and APP_MODULE_STRING.match(node.value):
            yield node.value


def _product_imports(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    return [m for m in _imported_modules(tree) if m.split(".")[0] in PRODUCT_APPS]


def _relative(path):
    return str(path.relative_to(ROOT))


def test_the_core_imports_no_product_app():
    found = {_relative(p): _product_imports(p) for p in CORE.rglob("*.py")}
    assert {path: modules for path, modules in found.items() if modules} == {}


def test_the_core_names_no_product_app_to_load():
    """No list of app names (DASHBOARD_APPS, DEMO_APPS) and no import_module("markets.demo")."""
    found = {}
    for path in CORE.rglob("*.py"):
        if "migrations" in path.parts:  # generated: their dependencies name the apps' migrations
            continue
        names = list(_named_app_strings(ast.parse(path.read_text())))
        if names:
            found[_relative(path)] = names
    assert found == {}


def test_the_scan_sees_a_product_import_and_an_app_list():
    """The scans above are not blind: they catch the two forms the core used to have."""
    tree = ast.parse(
        'from markets.models import Market\nAPPS = ["markets", "registry"]\nimport_module("bench.generate")'
    )
    assert list(_imported_modules(tree)) == ["markets.models"]
    assert list(_named_app_strings(tree)) == ["markets", "registry", "bench.generate"]
    assert not list(_named_app_strings(ast.parse('"""`markets.market` is a label."""\nFK = "markets.Market"')))


def test_only_settings_and_urls_of_the_wiring_name_product_apps():
    naming = set()
    for path in (ROOT / "gigmarket").glob("*.py"):
        tree = ast.parse(path.read_text())
        if _product_imports(path) or list(_named_app_strings(tree)):
            naming.add(path.name)
    assert naming == {"settings.py", "urls.py"}


def test_every_product_app_is_installed_once_after_the_core():
    assert settings.PROJECT_APPS[0] == "gigmarket.core"
    assert set(settings.PROJECT_APPS[1:]) == set(PRODUCT_APPS)
    assert [a for a in settings.INSTALLED_APPS if a in settings.PROJECT_APPS] == settings.PROJECT_APPS


def test_every_app_with_cards_or_demo_data_registers_them():
    """An app's dashboard.py / demo.py is live only once its AppConfig.ready() registers it."""
    for config in apps.get_app_configs():
        if config.name not in PRODUCT_APPS:  # the core's dashboard.py is the collector
            continue
        plugin = plugins.PLUGINS.get(config.label)
        for module in ("dashboard", "demo"):
            if (Path(config.path) / f"{module}.py").exists():
                assert plugin is not None and getattr(plugin, module) is not None, (config.label, module)


def test_registrations_keep_installed_apps_order():
    order = [c.label for c in apps.get_app_configs()]
    labels = list(plugins.PLUGINS)
    assert labels == sorted(labels, key=order.index)
    assert labels[:2] == ["gigmarket", "markets"]  # demo accounts, then the markets other demo data uses


class _FakeApp:
    label = "fake_app"


def test_a_registered_app_shows_its_cards_and_loads_its_demo_without_a_core_edit(db, county_user, monkeypatch):
    monkeypatch.setattr(plugins, "PLUGINS", {})  # only the new app: the real loaders are slow
    loaded = []
    plugins.register(
        _FakeApp(),
        dashboard=lambda user: [{"title": "新模块", "value": user.username}],
        demo=lambda: loaded.append("loaded"),
    )
    cache.clear()
    assert collect_cards(county_user) == [{"title": "新模块", "value": "nm_county"}]
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert loaded == ["loaded"]
    assert "演示账号" in out.getvalue()
    cache.clear()


def test_an_app_cannot_take_another_apps_beat_entry(monkeypatch):
    monkeypatch.setattr(plugins, "PLUGINS", dict(plugins.PLUGINS))
    taken = next(iter(plugins.BEAT_SCHEDULE))
    before = dict(plugins.BEAT_SCHEDULE)
    with pytest.raises(ImproperlyConfigured, match=taken):
        plugins.register(_FakeApp(), beat={taken: {"task": "x", "schedule": 1.0}})
    assert before == plugins.BEAT_SCHEDULE and "fake_app" not in plugins.PLUGINS


# The product apps, lowest first: each may import the core and the apps before it.
APP_LADDER = ("markets", "registry", "matching", "reporting")


def test_each_product_app_imports_only_the_apps_below_it():
    """Registry never imports matching (it offers signals instead: registry/signals.py), and so on up."""
    upward = {}
    for level, app in enumerate(APP_LADDER):
        above = set(APP_LADDER[level + 1 :])
        for path in (ROOT / app).rglob("*.py"):
            found = sorted({m for m in _product_imports(path) if m.split(".")[0] in above})
            if found:
                upward[_relative(path)] = found
    assert upward == {}


def test_the_ladder_scan_sees_an_import_inside_a_function():
    tree = ast.parse("def f():\n    from matching.models import Application  # noqa: PLC0415\n")
    assert list(_imported_modules(tree)) == ["matching.models"]
