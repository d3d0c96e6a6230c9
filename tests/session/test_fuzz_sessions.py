"""Damaged and crafted session files: always a clean SessionError, never a crash (issue 12).

Hypothesis damages a small valid session in every way the issue lists (truncations, flipped
bytes anywhere, changed JSON values, arrays of other dtypes and shapes, out-of-range indices,
extra members) and checks that reading and loading it, and running a few steps when it loads,
either works or raises :class:`SessionError`; that nothing else escapes, the file is left as it
was and memory stays small. The fuzz runs in a child process, so that a crash (a segfault in
a compiled kernel) is caught and named.
"""

from __future__ import annotations

import functools
import io
import json
import os
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sorn_studio.engine import Simulation
from sorn_studio.presets import load_preset
from sorn_studio.recording import RecordingSpec
from sorn_studio.session import SessionError, load_session, read_session, save_session

JSON_ITEMS = ("meta", "params", "initial_params", "recording", "change_log", "input",
              "rng/initial", "rng/current")
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats() | st.text(max_size=5)
    # Integers beyond any float and beyond int64 (test_hostile_files has one of 5000 digits).
    | st.sampled_from([10**400, -10**400, 2**63, 2**64 + 1, 10**4000]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner,
                                                                max_size=3),
    max_leaves=6)


@functools.cache
def original(tmp: str) -> tuple[bytes, dict[str, np.ndarray]]:
    params = load_preset("lazar2009", ne=24, ni=5, lambda_ee=4, lambda_ei=5, lambda_ie=24,
                         n_u=3)
    sim = Simulation(params, 1, recording=RecordingSpec(window=60, weights_every=25,
                                                        neurons=(0, 5)))
    sim.run(80)
    path = save_session(sim, f"{tmp}/original.npz")
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    return path.read_bytes(), arrays


def archive(arrays: dict[str, np.ndarray], extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    if extra:
        with zipfile.ZipFile(buffer, "a") as z:
            for name, data in extra.items():
                z.writestr(name, data)
    return buffer.getvalue()


@st.composite
def damaged(draw, tmp: str) -> bytes:
    data, arrays = original(tmp)
    arrays = dict(arrays)
    kind = draw(st.sampled_from(["truncate", "flip", "json", "array", "index", "extra"]))
    if kind == "truncate":
        return data[: draw(st.integers(0, len(data) - 1))]
    if kind == "flip":
        out = bytearray(data)
        for _ in range(draw(st.integers(1, 4))):
            out[draw(st.integers(0, len(out) - 1))] ^= draw(st.integers(1, 255))
        return bytes(out)
    if kind == "json":
        key = draw(st.sampled_from(JSON_ITEMS))
        value = json.loads(str(arrays[key]))
        if isinstance(value, dict) and value and draw(st.booleans()):
            value[draw(st.sampled_from(sorted(value)))] = draw(JSON_VALUES)
        else:
            value = draw(JSON_VALUES)
        arrays[key] = np.array(json.dumps(value))
        return archive(arrays)
    if kind == "array":
        key = draw(st.sampled_from(sorted(k for k in arrays if k not in JSON_ITEMS)))
        dtype = draw(st.sampled_from(["int64", "int32", "uint8", "float64", "float32", "bool"]))
        shape = tuple(draw(st.lists(st.integers(0, 6), max_size=3)))
        arrays[key] = np.zeros(shape, dtype=dtype) + draw(st.integers(-3, 3)).__abs__()
        return archive(arrays)
    if kind == "index":
        key = draw(st.sampled_from(["input/position", "input/pools", "engine/ee_in",
                                    "engine/ee_out", "rec/step"]))
        arr = arrays[key].copy()
        if arr.size:
            flat = arr.reshape(-1)
            flat[draw(st.integers(0, flat.size - 1))] = draw(st.integers(-2**31, 2**31 - 1))
        arrays[key] = arr
        return archive(arrays)
    name = draw(st.sampled_from(["extra.npy", "state/w_ee.npy.bak", "meta", "x/../../y.npy"]))
    return archive(arrays, {name: draw(st.binary(max_size=64))})


#: Examples per run: 150 keep the suite quick; a soak sets SORN_FUZZ_EXAMPLES=4000 (about a minute).
EXAMPLES = int(os.environ.get("SORN_FUZZ_EXAMPLES", "150"))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.data_too_large])
@given(data=st.data())
def damaged_sessions_are_refused_cleanly_or_work(tmp: str, data) -> None:
    """The fuzz itself; it runs in a child process (see the test below)."""
    content = data.draw(damaged(tmp))
    path = Path(tmp) / "damaged.npz"
    path.write_bytes(content)
    tracemalloc.start()
    try:
        try:
            read_session(path)
            sim, _ = load_session(path)
            sim.run(20)
        except SessionError:
            pass
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert path.read_bytes() == content   # reading never writes
    assert peak < 64 * 2**20, f"{peak / 2**20:.0f} MiB"


def test_a_damaged_session_is_refused_cleanly_or_works_and_never_kills_the_process(tmp_path):
    # In a child process, so that a crash in compiled code (a segfault) is seen as such and
    # named, instead of taking the test runner down with it.
    child = (f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
             "import warnings; warnings.simplefilter('ignore'); "
             "from test_fuzz_sessions import damaged_sessions_are_refused_cleanly_or_work as f; "
             f"f({str(tmp_path)!r})")
    done = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True,
                          timeout=900)
    assert done.returncode >= 0, (f"the process was killed by signal {-done.returncode} "
                                  f"while loading a damaged session:\n{done.stderr[-3000:]}")
    assert done.returncode == 0, done.stderr[-6000:]
