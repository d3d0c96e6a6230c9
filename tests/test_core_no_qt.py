"""The core (everything outside sorn_studio/app/) never imports Qt."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import sorn_studio

QT_MODULES = ("PySide6", "pyqtgraph", "PyQt5", "PyQt6", "shiboken6")


def core_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(sorn_studio.__path__, "sorn_studio."):
        if info.name.startswith("sorn_studio.app"):
            continue
        names.append(info.name)
    return names


def test_core_modules_import_without_qt():
    modules = core_modules()
    assert "sorn_studio.engine.kernels" in modules and "sorn_studio.params" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "from sorn_studio import Simulation, load_preset\n"
        "Simulation(load_preset('zheng2013', ne=20, ni=4, lambda_ee=5, lambda_ei=2,"
        " lambda_ie=20)).step(5)\n"
        f"loaded = [m for m in sys.modules if m.split('.')[0] in {QT_MODULES!r}]\n"
        "print(','.join(loaded))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"Qt modules loaded by the core: {out.stdout}"
