"""The import contracts in pyproject.toml hold, and they cover every module of the package."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
import tomllib
from pathlib import Path

import sorn_studio

ROOT = Path(__file__).resolve().parents[1]
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
    "importlinter"]
CONTRACTS = {c["id"]: c for c in CONFIG["contracts"]}
#: Top-level modules that are not part of the core: the front ends.
FRONT_ENDS = {"sorn_studio.app", "sorn_studio.cli"}


def top_level_modules() -> set[str]:
    return {f"sorn_studio.{info.name}" for info in pkgutil.iter_modules(sorn_studio.__path__)}


def test_the_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    command = [str(lint)] if lint.exists() else [sys.executable, "-m", "importlinter.cli"]
    out = subprocess.run([*command, "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken" in out.stdout, out.stdout


def test_every_core_module_is_under_the_qt_and_front_end_contracts():
    core = top_level_modules() - FRONT_ENDS
    for name in ("core-no-qt", "core-no-front-ends"):
        assert set(CONTRACTS[name]["source_modules"]) == core, name


def test_the_engine_may_import_only_params_and_recording():
    allowed = {"sorn_studio.engine", "sorn_studio.params", "sorn_studio.recording"}
    forbidden = set(CONTRACTS["engine-self-contained"]["forbidden_modules"])
    assert forbidden == top_level_modules() - allowed
