"""The package surface: lazy top-level names, no file I/O on import, __all__ everywhere."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import pytest

import otcoding


def _fresh(code: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, timeout=60
    )
    return out.stdout.strip()


def test_import_loads_no_part_of_the_package_and_opens_no_file() -> None:
    code = (
        "import builtins, io, sys\n"
        "opened = []\n"
        "real = io.open\n"
        "def spy(*a, **k):\n"
        "    opened.append(str(a[0]))\n"
        "    return real(*a, **k)\n"
        "builtins.open = io.open = spy\n"
        "import otcoding\n"
        "mods = sorted(m for m in sys.modules if m.startswith('otcoding.'))\n"
        "print(mods, [p for p in opened if 'otcoding' in p])\n"
    )
    assert _fresh(code) == "[] []"


def test_first_use_imports_only_what_it_needs() -> None:
    code = (
        "import sys, otcoding\n"
        "otcoding.lookup\n"
        "print('otcoding.auditor' in sys.modules, 'otcoding.codes' in sys.modules)\n"
    )
    assert _fresh(code) == "False True"


@pytest.mark.parametrize("name", otcoding.__all__)
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(otcoding, name) is not None
    assert name in dir(otcoding)


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_thing"):
        otcoding.no_such_thing  # noqa: B018


def test_from_import_of_names_and_subpackages() -> None:
    from otcoding import Claim, codes, units

    assert Claim.__module__ == "otcoding.claim"
    assert codes.lookup is otcoding.lookup
    assert units.allocate is otcoding.allocate


def _public_modules() -> list[str]:
    names = ["otcoding"]
    for info in pkgutil.walk_packages(otcoding.__path__, "otcoding."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    return names


@pytest.mark.parametrize("module_name", _public_modules())
def test_every_public_module_declares_all(module_name: str) -> None:
    module = importlib.import_module(module_name)
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{module_name} has no __all__"
    for name in exported:
        assert hasattr(module, name), f"{module_name}.__all__ names missing {name!r}"
