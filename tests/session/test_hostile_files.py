"""A crafted session file is refused cleanly: no hang, no crash, no memory flood (issue 12)."""

from __future__ import annotations

import io
import json
import os
import threading
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest
from numpy.lib import format as npy

from sorn_studio.engine import Simulation
from sorn_studio.presets import load_preset
from sorn_studio.recording import RecordingSpec
from sorn_studio.session import SessionError, load_session, read_session, save_session


@pytest.fixture
def session(tmp_path: Path) -> Path:
    params = load_preset("zheng2013", ne=30, ni=6, lambda_ee=5, lambda_ei=2, lambda_ie=30)
    sim = Simulation(params, 2, recording=RecordingSpec(window=100, neurons=(1,)))
    sim.run(150)
    return save_session(sim, tmp_path / "run.npz")


def members(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def rewrite(path: Path, arrays: dict[str, np.ndarray]) -> None:
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)


def add_zeros(path: Path, key: str, shape: tuple[int, ...]) -> None:
    """Append a deflated float64 member of zeros: megabytes that compress to kilobytes."""
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as z, \
            z.open(f"{key}.npy", "w", force_zip64=True) as member:
        npy.write_array_header_1_0(member, {"descr": "<f8", "fortran_order": False,
                                            "shape": shape})
        left = int(np.prod(shape)) * 8
        while left:
            block = min(left, 2**20)
            member.write(bytes(block))
            left -= block


def refused_within(path: Path, message: str, most_bytes: int) -> None:
    """Reading ``path`` raises a SessionError matching ``message`` and allocates little."""
    tracemalloc.start()
    try:
        with pytest.raises(SessionError, match=message):
            read_session(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < most_bytes, f"reading allocated {peak / 2**20:.0f} MiB"


def test_a_named_pipe_is_refused_without_blocking(tmp_path):
    pipe = tmp_path / "session.npz"
    os.mkfifo(pipe)
    outcome: list[BaseException] = []
    reader = threading.Thread(target=lambda: _catch(outcome, read_session, pipe), daemon=True)
    reader.start()
    reader.join(10)
    assert not reader.is_alive(), "reading a named pipe blocked"
    assert isinstance(outcome[0], SessionError) and "regular file" in str(outcome[0])


def _catch(outcome: list[BaseException], fn, *args) -> None:
    try:
        fn(*args)
    except BaseException as exc:  # noqa: BLE001 - the test inspects it
        outcome.append(exc)


def test_a_decompression_bomb_is_refused_unread(session):
    # A known member, deflated, declaring 256 MiB of zeros where the schema allows none:
    # the file grows by a few hundred kilobytes.
    arrays = members(session)
    del arrays["rec/snapshots"]
    rewrite(session, arrays)
    add_zeros(session, "rec/snapshots", (256 * 2**20 // (30 * 30 * 8), 30, 30))
    assert session.stat().st_size < 5 * 2**20
    refused_within(session, r"'rec/snapshots' declares \d+ bytes", 32 * 2**20)


@pytest.mark.parametrize("shape", [(10**12,), (2**40, 2**40), (30, 31)])
def test_an_npy_header_disagreeing_with_its_member_size_is_refused_before_allocating(session,
                                                                                    shape):
    # The zip entry declares a small member, but the .npy header inside claims another shape:
    # nothing of the header's size is allocated.
    arrays = members(session)
    del arrays["state/w_ee"]
    rewrite(session, arrays)
    with zipfile.ZipFile(session, "a") as z, z.open("state/w_ee.npy", "w") as member:
        npy.write_array_header_1_0(member, {"descr": "<f8", "fortran_order": False,
                                            "shape": shape})
        member.write(bytes(30 * 30 * 8))
    refused_within(session, r"'state/w_ee'.*header declares shape", 8 * 2**20)


def test_an_object_array_header_is_refused_as_a_pickle(session):
    arrays = members(session)
    del arrays["state/t_e"]
    rewrite(session, arrays)
    with zipfile.ZipFile(session, "a") as z, z.open("state/t_e.npy", "w") as member:
        npy.write_array_header_1_0(member, {"descr": "|O", "fortran_order": False,
                                            "shape": (30,)})
        member.write(bytes(30 * 8))
    with pytest.raises(SessionError, match="'state/t_e' holds pickled Python objects"):
        read_session(session)


def test_an_unknown_member_is_refused(session):
    with zipfile.ZipFile(session, "a") as z:
        z.writestr("extra.npy", b"whatever")
    with pytest.raises(SessionError, match="unknown item 'extra'"):
        read_session(session)


@pytest.mark.parametrize("value", ['1.7', '"1500"', "true", "1e400", "Infinity", "-3"])
def test_a_step_count_that_is_not_a_whole_number_is_refused(session, value):
    arrays = members(session)
    text = str(arrays["meta"])
    meta = json.loads(text)
    arrays["meta"] = np.array(text.replace(f'"steps": {meta["steps"]}', f'"steps": {value}'))
    assert value in str(arrays["meta"])
    rewrite(session, arrays)
    with pytest.raises(SessionError, match="'steps'|steps -3"):
        read_session(session)


def test_json_nested_too_deep_is_refused(session):
    arrays = members(session)
    arrays["recording"] = np.array("[" * 100_000 + "]" * 100_000)
    rewrite(session, arrays)
    with pytest.raises(SessionError, match="'recording' nests JSON too deeply"):
        read_session(session)


def test_a_member_that_is_not_npy_data_is_refused(session):
    arrays = members(session)
    del arrays["rec/n_ee"]
    rewrite(session, arrays)
    with zipfile.ZipFile(session, "a") as z:
        z.writestr("rec/n_ee.npy", b"this is not an array")
    with pytest.raises(SessionError, match="'rec/n_ee'"):
        load_session(session)


@pytest.mark.parametrize("position", [[10**9, 1], [0, 500], [-7, -3]])
def test_an_input_position_outside_the_words_is_refused(tmp_path, position):
    # Continuing such a session used to index the compiled word table out of bounds (SIGSEGV).
    params = load_preset("lazar2009", ne=40, ni=8, lambda_ee=5, lambda_ei=8, lambda_ie=40, n_u=5)
    sim = Simulation(params, 3)
    sim.run(50)
    path = save_session(sim, tmp_path / "counting.npz")
    arrays = members(path)
    arrays["input/position"] = np.array(position, dtype=np.int64)
    rewrite(path, arrays)
    with pytest.raises(SessionError, match=r"'input/position' = \[.*\] is outside the words"):
        load_session(path)


def test_values_the_engine_never_makes_load_with_a_warning_naming_the_file_and_key(session):
    from sorn_studio.engine import SnapshotWarning

    arrays = members(session)
    arrays["state/h_ip"] = np.full_like(arrays["state/h_ip"], 1.5)
    arrays["state/w_ee"] = arrays["state/w_ee"] * 2.0
    rewrite(session, arrays)
    with pytest.warns(SnapshotWarning) as caught:
        sim, _ = load_session(session)
    messages = " ".join(str(w.message) for w in caught)
    assert str(session) in messages
    assert "'state/h_ip' has IP target rates outside (0, 1)" in messages
    assert "'state/w_ee' has" in messages and "do not sum to 1" in messages
    sim.run(1)   # normalised at the next step
    sums = sim.w_ee.sum(axis=1)
    assert np.allclose(sums[sums > 0], 1.0)


def test_a_change_log_value_out_of_range_is_refused(session):
    arrays = members(session)
    arrays["change_log"] = np.array(json.dumps([[10, "eta_stdp", 0.004, 7.5]]))
    rewrite(session, arrays)
    with pytest.raises(SessionError, match=r"'change_log' .*'eta_stdp' = 7.5 is out of range"):
        read_session(session)


def test_weight_snapshots_with_nan_are_refused(tmp_path):
    params = load_preset("zheng2013", ne=30, ni=6, lambda_ee=5, lambda_ei=2, lambda_ie=30)
    sim = Simulation(params, 2, recording=RecordingSpec(window=100, weights_every=20))
    sim.run(60)
    path = save_session(sim, tmp_path / "s.npz")
    arrays = members(path)
    arrays["rec/snapshots"][1, 2, 3] = np.nan
    rewrite(path, arrays)
    with pytest.raises(SessionError, match="'rec/snapshots' holds NaN or inf"):
        read_session(path)


def test_a_run_with_a_low_weight_cap_loads_quietly_and_continues_exactly(tmp_path):
    # Under SN the engine normalises after the cap, so weights above w_max are its own doing.
    import warnings

    params = load_preset("zheng2013", ne=30, ni=6, lambda_ee=5, lambda_ei=2, lambda_ie=30,
                         w_max=0.3)
    whole = Simulation(params, 4)
    whole.run(300)
    path = save_session(whole, tmp_path / "capped.npz")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded, _ = load_session(path)
    whole.run(300)
    loaded.run(300)
    assert np.array_equal(whole.w_ee, loaded.w_ee) and np.array_equal(whole.t_e, loaded.t_e)


def test_an_item_this_kind_of_session_cannot_have_is_refused_unread(session):
    arrays = members(session)
    arrays["input/raw"] = np.zeros((10, 2000))
    rewrite(session, arrays)
    with pytest.raises(SessionError, match="holds item 'input/raw', which a session with input "
                                           "kind 'none'"):
        read_session(session)


def test_a_member_compressed_other_than_by_deflate_is_refused(session):
    arrays = members(session)
    del arrays["rec/n_ee"]
    rewrite(session, arrays)
    with zipfile.ZipFile(session, "a", compression=zipfile.ZIP_BZIP2) as z:
        buffer = io.BytesIO()
        np.save(buffer, np.zeros(100, dtype=np.int32))
        z.writestr("rec/n_ee.npy", buffer.getvalue())
    with pytest.raises(SessionError, match="'rec/n_ee' is compressed with method 12"):
        read_session(session)


@pytest.mark.parametrize(("key", "text", "fragment"), [
    ("change_log", '[[10, "eta_stdp", 0.004, ' + "1" * 400 + "]]", "out of range"),
    ("params", '{"ne": ' + "9" * 5000 + "}", "not valid JSON"),
    ("meta", None, "is not a whole number [0, 4611686018427387904]"),
])
def test_numbers_beyond_any_float_or_step_count_are_refused(session, key, text, fragment):
    arrays = members(session)
    if text is None:
        meta = json.loads(str(arrays["meta"]))
        meta["steps"] = 2**63 - 1
        text = json.dumps(meta)
    arrays[key] = np.array(text)
    rewrite(session, arrays)
    with pytest.raises(SessionError) as err:
        read_session(session)
    assert fragment in str(err.value) and str(session) in str(err.value)


def test_a_pending_change_beyond_any_float_is_refused(session):
    arrays = members(session)
    meta = json.loads(str(arrays["meta"]))
    meta["pending"] = {"eta_stdp": 10**400}
    arrays["meta"] = np.array(json.dumps(meta))
    rewrite(session, arrays)
    with pytest.raises(SessionError, match="invalid pending change"):
        load_session(session)


def test_a_file_claiming_a_huge_run_is_refused_when_it_cannot_fit_in_memory(session,
                                                                            monkeypatch):
    # The metadata says 10^9 fully recorded steps, so 300 MB of thresholds would be allowed:
    # what decides is whether the machine has the memory, checked before anything inflates.
    from sorn_studio.session import files

    arrays = members(session)
    meta, recording = json.loads(str(arrays["meta"])), json.loads(str(arrays["recording"]))
    meta["steps"], recording["full"] = 10**9, True
    arrays["meta"], arrays["recording"] = (np.array(json.dumps(meta)),
                                           np.array(json.dumps(recording)))
    del arrays["rec/te_stats"]
    rewrite(session, arrays)
    add_zeros(session, "rec/te_stats", (12_500_000, 3))
    monkeypatch.setattr(files, "available_bytes", lambda: 100 * 10**6)
    refused_within(session, r"needs 0\.3 GB to load but about 0\.1 GB", 32 * 2**20)
