"""Production installs only what production runs: requirements.txt is the runtime set,
complete with every dependency; requirements-dev.txt adds tests and tools on top.

`.ci/run` installs requirements.txt alone from a wheelhouse with `pip --no-index` and runs
`check --deploy`; these tests keep the two files honest between CI runs.
"""

import re
from importlib import metadata
from pathlib import Path

from django.conf import settings
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

BASE_DIR = Path(settings.BASE_DIR)
TEST_TOOLS = {
    "pytest",
    "pytest-django",
    "pytest-xdist",
    "factory-boy",
    "faker",
    "hypothesis",
    "time-machine",
    "ruff",
    "playwright",
}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)$")


def pins(filename):
    """{canonical name: version} of a requirements file; includes (-r) are not followed."""
    found = {}
    for raw in (BASE_DIR / filename).read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("-r "):
            continue
        match = PIN.match(line)
        assert match, f"{filename}: {raw!r} is not pinned as name==version"
        found[canonicalize_name(match.group(1))] = match.group(2)
    return found


def dependencies(name):
    """Canonical names a distribution needs (no extras), as installed here."""
    needed = set()
    for spec in metadata.requires(name) or []:
        requirement = Requirement(spec)
        if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
            needed.add(canonicalize_name(requirement.name))
    return needed


def test_the_runtime_set_has_no_test_tools():
    assert TEST_TOOLS.isdisjoint(pins("requirements.txt"))


def test_the_dev_set_adds_the_tools_on_top_of_the_runtime_set():
    lines = (BASE_DIR / "requirements-dev.txt").read_text(encoding="utf-8").splitlines()
    assert "-r requirements.txt" in lines
    dev = pins("requirements-dev.txt")
    assert set(dev) >= TEST_TOOLS
    assert set(dev).isdisjoint(pins("requirements.txt")), "a package pinned in both files"


def test_the_runtime_set_is_complete_so_an_offline_install_needs_nothing_else():
    runtime = pins("requirements.txt")
    missing = {
        f"{name} needs {dependency}"
        for name in runtime
        for dependency in dependencies(name)
        if dependency not in runtime
    }
    assert not missing, f"add these runtime dependencies to requirements.txt: {sorted(missing)}"


def test_the_dev_set_is_complete_too():
    pinned = pins("requirements.txt") | pins("requirements-dev.txt")
    missing = {
        f"{name} needs {dependency}"
        for name in pins("requirements-dev.txt")
        for dependency in dependencies(name)
        if dependency not in pinned
    }
    assert not missing, f"add these to requirements-dev.txt: {sorted(missing)}"


def test_every_pin_is_the_version_installed_here():
    pinned = pins("requirements.txt") | pins("requirements-dev.txt")
    installed = {name: metadata.version(name) for name in pinned}
    assert installed == pinned
