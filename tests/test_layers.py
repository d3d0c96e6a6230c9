"""Layers import downwards only: analysis below the studio and the experiments, Qt on top."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import pytest

#: Package -> packages that importing any of its modules must not load.
FORBIDDEN = {
    "sorn_studio.analysis": ("sorn_studio.experiments", "sorn_studio.studio",
                             "sorn_studio.session", "sorn_studio.cli", "sorn_studio.app"),
    "sorn_studio.studio": ("sorn_studio.app", "sorn_studio.cli", "sorn_studio.experiments",
                           "PySide6", "pyqtgraph"),
}


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_a_layer_does_not_import_the_layers_above(package):
    path = importlib.import_module(package).__path__
    modules = [package, *(info.name for info in pkgutil.walk_packages(path, package + "."))]
    assert len(modules) > 3
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print('\\n'.join(sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    loaded = [name for name in out.stdout.split()
              if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN[package])]
    assert not loaded, f"{package} loads {loaded}"
