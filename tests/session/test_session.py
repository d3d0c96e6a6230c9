"""Session files: format, atomic saves, validated reads, migration, continue and replay."""

from __future__ import annotations

import json
import threading
import zipfile
from pathlib import Path

import numpy as np
import pytest

import sorn_studio
from sorn_studio.engine import ParamChange, Simulation
from sorn_studio.presets import load_preset
from sorn_studio.recording import RecordingSpec
from sorn_studio.session import (
    KEYS_DOC,
    MIGRATIONS,
    SCHEMA_VERSION,
    STATE_FIELDS,
    SessionError,
    load_session,
    read_session,
    replay_session,
    save_session,
    session_summary,
)

SMALL = dict(ne=40, ni=8, lambda_ee=5, lambda_ei=2, lambda_ie=40)


def zheng(**changes):
    return load_preset("zheng2013", **{**SMALL, **changes})


def counting(**changes):
    return load_preset("lazar2009", ne=40, ni=8, lambda_ee=5, lambda_ei=8, lambda_ie=40, n_u=5,
                       **changes)


def words_overlapping(**changes):
    return load_preset("hartmann2015", ne=40, ni=8, lambda_ee=5, lambda_ei=8, lambda_ie=40,
                       n_u=4, pools="overlapping", **changes)


def raw_params(**changes):
    return load_preset("sorn-0.7.4", **SMALL, nu=5, **changes)


def raw_input(t: int, seed: int = 7) -> np.ndarray:
    return np.random.default_rng(seed).random((5, t)) * 0.5


def drive(sim: Simulation, plan) -> Simulation:
    """Run ``plan``: ints are chunk sizes, dicts are live changes requested at that point."""
    for item in plan:
        if isinstance(item, dict):
            sim.apply_params(**item)
        else:
            sim.run(item)
    return sim


# Live changes before the save point, at odd steps, including a mechanism toggle and a mu_ip
# change twice at the same step (which the log keeps as two entries).
PLAN_K = [37, {"eta_stdp": 0.01, "mu_ip": 0.12}, 1, 1, 64, {"sp": False}, 3, {"mu_ip": 0.11},
          0, {"mu_ip": 0.13, "noise_sigma": 0.1}, 101, {"sp": True}, 50]
K = 257


def assert_same_run(a: Simulation, b: Simulation) -> None:
    assert a.t == b.t
    assert a.state.equals(b.state)
    assert a.rng_state == b.rng_state
    assert np.array_equal(a.input.position, b.input.position)
    assert a.params == b.params
    assert list(a.change_log) == list(b.change_log)
    sa, sb = a.recorder.series(), b.recorder.series()
    assert sa.keys() == sb.keys()
    for key in sa:
        assert np.array_equal(sa[key], sb[key]), key
    assert np.array_equal(a.recorder.spikes_e(), b.recorder.spikes_e())


@pytest.fixture
def saved(tmp_path: Path) -> tuple[Path, Simulation]:
    sim = drive(Simulation(zheng(), 3, recording=RecordingSpec(full=True, weights_every=50,
                                                                 neurons=(1, 5))), PLAN_K)
    path = save_session(sim, tmp_path / "run.npz", preset="zheng2013", extra={"note": "hi"})
    return path, sim


def read_all(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def rewrite(path: Path, arrays: dict[str, np.ndarray], **kwargs) -> None:
    with open(path, "wb") as fh:
        np.savez(fh, **arrays, **kwargs)


# -- format --------------------------------------------------------------------------------------
def test_file_reads_with_plain_numpy_and_every_key_is_documented(saved):
    path, sim = saved
    arrays = read_all(path)
    assert set(arrays) <= set(KEYS_DOC)
    assert int(arrays["schema_version"]) == SCHEMA_VERSION
    meta = json.loads(str(arrays["meta"]))
    assert meta["app_version"] == sorn_studio.__version__
    assert meta["preset"] == "zheng2013" and meta["seed"] == 3 and meta["steps"] == K
    assert meta["extra"] == {"note": "hi"}
    assert json.loads(str(arrays["params"]))["mu_ip"] == pytest.approx(0.13)
    assert json.loads(str(arrays["initial_params"]))["mu_ip"] == pytest.approx(0.1)
    log = json.loads(str(arrays["change_log"]))
    assert [tuple(e) for e in log] == [tuple(c) for c in sim.change_log]
    # Every metadata item is a 0-d string: nothing pickled, nothing of dtype object.
    for key, arr in arrays.items():
        assert arr.dtype != object, key
    # Spikes: one bit per neuron and step, read back with numpy alone.
    assert arrays["rec/x"].dtype == np.uint8 and arrays["rec/x"].shape == (K, 5)
    assert arrays["rec/y"].shape == (K, 1)
    spikes = np.unpackbits(arrays["rec/x"], axis=1, count=40).astype(bool)
    assert np.array_equal(spikes, sim.recorder.spikes_e())
    assert np.array_equal(arrays["state/w_ee"], sim.w_ee)
    assert np.array_equal(arrays["initial/w_ee"], sim.initial_state.w_ee)
    assert np.array_equal(arrays["rec/snapshot_steps"], [50, 100, 150, 200, 250])


def test_raw_input_is_stored(tmp_path):
    sim = Simulation(raw_params(), 2, raw_input=raw_input(300))
    sim.run(120)
    arrays = read_all(save_session(sim, tmp_path / "raw.npz"))
    assert np.array_equal(arrays["input/raw"], raw_input(300))
    assert json.loads(str(arrays["input"]))["raw_cursor"] == 120


def test_load_restores_everything(saved):
    path, sim = saved
    loaded, info = load_session(path)
    assert info.schema_version == SCHEMA_VERSION
    assert info.app_version == sorn_studio.__version__
    assert info.preset == "zheng2013" and info.seed == 3 and info.steps == K
    assert info.params == sim.params and info.initial_params == sim.initial_params
    assert info.change_log == tuple(sim.change_log)
    assert all(isinstance(c, ParamChange) for c in info.change_log)
    assert info.recording == sim.recording
    assert info.extra == {"note": "hi"} and info.replayable
    assert info.created.endswith("+00:00")
    assert_same_run(sim, loaded)
    assert loaded.initial_state.equals(sim.initial_state)
    assert loaded.initial_rng_state == sim.initial_rng_state
    assert [k for k, _ in loaded.recorder.weight_snapshots()] == [50, 100, 150, 200, 250]
    for (_, a), (_, b) in zip(loaded.recorder.weight_snapshots(),
                              sim.recorder.weight_snapshots(), strict=True):
        assert np.array_equal(a, b)


def test_summary(saved):
    path, sim = saved
    s = session_summary(read_session(path))
    assert s["steps"] == K and s["recorded_steps"] == K and s["preset"] == "zheng2013"
    assert s["rate_e"] == pytest.approx(sim.recorder.rate_e().mean())
    assert s["rate_i"] == pytest.approx(sim.recorder.rate_i().mean())
    assert s["connection_fraction"] == pytest.approx(np.count_nonzero(sim.w_ee) / (40 * 39))
    assert s["changes"] == list(sim.change_log)


def test_extra_must_be_json(tmp_path):
    sim = Simulation(zheng(), 1)
    with pytest.raises(ValueError, match="extra"):
        save_session(sim, tmp_path / "x.npz", extra={"bad": object()})
    assert list(tmp_path.iterdir()) == []


# -- continue ------------------------------------------------------------------------------------
CASES = {
    "spontaneous": (zheng, None),
    "counting": (counting, None),
    "words-overlapping": (words_overlapping, None),
    "raw": (raw_params, 900),
}


@pytest.mark.parametrize("case", list(CASES))
def test_continue_equals_uninterrupted_run(tmp_path, case):
    make, raw_t = CASES[case]
    rec = RecordingSpec(full=True)
    kwargs = dict(recording=rec, raw_input=raw_input(raw_t) if raw_t else None)
    plan = [c for c in PLAN_K if not (isinstance(c, dict) and case != "spontaneous"
                                      and "noise_sigma" in c)]
    whole = drive(Simulation(make(), 11, **kwargs), plan)
    whole.run(300)
    first = drive(Simulation(make(), 11, **kwargs), plan)
    path = save_session(first, tmp_path / "k.npz")
    resumed, info = load_session(path)
    assert info.steps == K
    resumed.run(7)
    resumed.run(293)
    assert_same_run(whole, resumed)


def test_continue_with_a_windowed_recorder(tmp_path):
    rec = RecordingSpec(window=100)
    whole = drive(Simulation(zheng(), 5, recording=rec), PLAN_K)
    whole.run(150)
    first = drive(Simulation(zheng(), 5, recording=rec), PLAN_K)
    resumed, _ = load_session(save_session(first, tmp_path / "w.npz"))
    resumed.run(150)
    assert_same_run(whole, resumed)
    assert resumed.recorder.steps()[0] == K + 150 - 99


@pytest.mark.parametrize("more", [0, 40])
def test_a_session_saved_after_changing_the_recording_mid_run_loads(tmp_path, more):
    # Changing what is recorded part-way drops the old rows; the new recording starts at the
    # current step, so the file numbers its rows as any other and loads.
    sim = Simulation(zheng(), 6)
    sim.run(120)
    sim.set_recording(RecordingSpec(window=30, neurons=(2,)))
    sim.run(more)
    resumed, info = load_session(save_session(sim, tmp_path / "r.npz"))
    assert info.steps == 120 + more and resumed.recorder.total_steps == 120 + more
    assert resumed.recorder.steps().tolist() == list(range(121 + max(0, more - 30), 121 + more))
    sim.run(25)
    resumed.run(25)
    assert resumed.state.equals(sim.state)


def test_continue_applies_a_pending_change_at_the_saved_step(tmp_path):
    whole = drive(Simulation(zheng(), 4), [90, {"eta_ip": 0.02}])
    first = drive(Simulation(zheng(), 4), [90, {"eta_ip": 0.02}])
    path = save_session(first, tmp_path / "p.npz")
    resumed, info = load_session(path)
    assert info.pending == {"eta_ip": 0.02}
    whole.run(60)
    resumed.run(60)
    assert_same_run(whole, resumed)
    assert resumed.change_log == [ParamChange(90, "eta_ip", 0.01, 0.02)]


def test_continue_with_the_numpy_backend(tmp_path):
    whole = drive(Simulation(zheng(), 8, backend="numpy"), [20, {"eta_stdp": 0.02}, 15])
    whole.run(10)
    first = drive(Simulation(zheng(), 8, backend="numpy"), [20, {"eta_stdp": 0.02}, 15])
    resumed, info = load_session(save_session(first, tmp_path / "n.npz"))
    assert info.backend == "numpy" and resumed.backend == "numpy"
    resumed.run(10)
    assert_same_run(whole, resumed)


def test_raw_input_fed_in_pieces_continues_but_cannot_replay(tmp_path):
    sim = Simulation(raw_params(), 3, raw_input=raw_input(100))
    sim.run(80)
    sim.feed_input(raw_input(100, seed=8))
    sim.run(50)
    whole = Simulation(raw_params(), 3, raw_input=raw_input(100))
    whole.run(80)
    whole.feed_input(raw_input(100, seed=8))
    whole.run(50)
    path = save_session(sim, tmp_path / "fed.npz")
    resumed, info = load_session(path)
    assert not info.replayable and "raw input" in info.replay_note
    resumed.run(60)
    whole.run(60)
    assert_same_run(whole, resumed)
    result = replay_session(path)
    assert not result.matched and "cannot replay" in result.message


# -- replay --------------------------------------------------------------------------------------
ODD_CHUNKS = [1, 7, {"eta_stdp": 0.008}, 333, 1, {"ip": False}, 1025, {"ip": True, "mu_ip": 0.09},
              2, 50, {"mu_ip": 0.095}, 0, {"mu_ip": 0.1}, 3, 1024, 5]


@pytest.mark.parametrize("make", [zheng, counting], ids=["spontaneous", "counting"])
def test_replay_matches_whatever_the_chunk_sizes(tmp_path, make):
    sim = drive(Simulation(make(), 21, recording=RecordingSpec(window=500, weights_every=300)),
                ODD_CHUNKS)
    path = save_session(sim, tmp_path / "odd.npz")
    result = replay_session(path)
    assert result.matched, result.message
    assert result.steps == result.replayed == sim.t == 2451
    assert result.step is None and result.array is None
    assert replay_session(sim).matched
    # The same run in other chunks is the same run.
    other = drive(Simulation(make(), 21, recording=RecordingSpec(window=500, weights_every=300)),
                  [8, {"eta_stdp": 0.008}, 334, {"ip": False}, 1025,
                   {"ip": True, "mu_ip": 0.09}, 52, {"mu_ip": 0.095}, 0, {"mu_ip": 0.1}, 1032])
    assert replay_session(other).matched
    assert other.state.equals(sim.state)


def test_replay_of_a_run_driven_by_the_studio_runner(tmp_path):
    """Adaptive chunks, frames and changes sent from another thread at arbitrary moments."""
    from sorn_studio.studio.defaults import make_simulation
    from sorn_studio.studio.runner import Runner

    sim = make_simulation(zheng(), seed=12, window=2000)
    frames: list[object] = []
    arrived = threading.Condition()

    def sink(frame) -> None:
        with arrived:
            frames.append(frame)
            arrived.notify_all()

    def wait_frames(n: int) -> None:
        with arrived:
            arrived.wait_for(lambda: len(frames) >= n)

    runner = Runner(sim, sink, max_fps=500)
    worker = threading.Thread(target=runner.run, daemon=True)
    worker.start()
    runner.play()
    changes = [{"eta_stdp": 0.006}, {"sp": False}, {"mu_ip": 0.12}, {"sp": True, "ip": False}]
    for k, change in enumerate(changes):
        wait_frames(4 * (k + 1))
        runner.apply_params(**change)
    wait_frames(4 * len(changes) + 4)
    runner.pause()
    path = runner.call(lambda s: save_session(s, tmp_path / "studio.npz")).result()
    runner.stop()
    worker.join()
    info = read_session(path).info
    assert [c.name for c in info.change_log] == ["eta_stdp", "sp", "mu_ip", "sp", "ip"]
    assert info.steps > 0
    result = replay_session(path)
    assert result.matched, result.message


def test_replay_of_raw_input(tmp_path):
    sim = Simulation(raw_params(), 3, raw_input=raw_input(400))
    drive(sim, [13, {"eta_ip": 0.02}, 200])
    assert replay_session(save_session(sim, tmp_path / "r.npz")).matched


def test_replay_reports_the_first_divergent_step(saved):
    path, _ = saved
    arrays = read_all(path)
    arrays["rec/x"][100, 2] ^= 0b0001_0000
    rewrite(path, arrays)
    result = replay_session(path)
    assert not result.matched
    assert (result.step, result.array) == (101, "rec/x")
    assert "101" in result.message


def test_replay_reports_a_different_final_state(saved):
    path, _ = saved
    arrays = read_all(path)
    arrays["state/t_e"][3] += 1e-12
    rewrite(path, arrays)
    result = replay_session(path)
    assert not result.matched and (result.step, result.array) == (K, "state/t_e")


def test_replay_reports_a_different_initial_state(saved):
    path, _ = saved
    arrays = read_all(path)
    w = arrays["initial/w_ee"]
    i, j = np.argwhere(w > 0)[0]
    w[i, j] *= 1.5
    rewrite(path, arrays)
    result = replay_session(path)
    assert not result.matched and (result.step, result.array) == (0, "initial/w_ee")


def test_replay_reports_a_log_that_does_not_fit(saved):
    path, _ = saved
    arrays = read_all(path)
    log = json.loads(str(arrays["change_log"]))
    log[0][2] = 0.5  # the logged "old" value of eta_stdp is not what the run had
    arrays["change_log"] = np.array(json.dumps(log))
    rewrite(path, arrays)
    result = replay_session(path)
    assert not result.matched and result.array == "params/eta_stdp" and result.step == 37


def test_replay_can_be_stopped(saved):
    path, _ = saved
    calls = []
    result = replay_session(path, progress=lambda d, n: calls.append((d, n)),
                            should_stop=lambda: True)
    assert result.stopped and not result.matched and result.replayed < K
    assert calls and all(n == K for _, n in calls)


def test_replay_leaves_the_simulation_alone():
    sim = drive(Simulation(zheng(), 2), [40, {"eta_ip": 0.02}, 30])
    before = sim.state.copy()
    assert replay_session(sim).matched
    assert sim.state.equals(before) and sim.t == 70


# -- atomic writes -------------------------------------------------------------------------------
def _tmp_leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_failed_write_keeps_the_old_file_and_leaves_no_temp(saved, monkeypatch):
    path, sim = saved
    before = path.read_bytes()
    sim.run(10)

    def broken_savez(fh, **arrays):
        fh.write(b"PK\x03\x04 half a file")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", broken_savez)
    with pytest.raises(OSError, match="No space"):
        save_session(sim, path)
    assert path.read_bytes() == before
    assert _tmp_leftovers(path.parent) == []


def test_failed_rename_keeps_the_old_file(saved, monkeypatch):
    path, sim = saved
    before = path.read_bytes()
    sim.run(10)

    def broken_replace(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("sorn_studio.atomic.os.replace", broken_replace)
    with pytest.raises(PermissionError):
        save_session(sim, path)
    assert path.read_bytes() == before
    assert _tmp_leftovers(path.parent) == []


def test_interrupted_write_leaves_no_temp(tmp_path, monkeypatch):
    sim = Simulation(zheng(), 1)

    def interrupted(fh, **arrays):
        fh.write(b"PK")
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_session(sim, tmp_path / "new.npz")
    assert list(tmp_path.iterdir()) == []


def test_saving_into_a_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        save_session(Simulation(zheng(), 1), tmp_path / "nope" / "x.npz")


def test_successful_save_replaces_the_file(saved):
    path, sim = saved
    sim.run(5)
    save_session(sim, path)
    assert read_session(path).info.steps == K + 5
    assert _tmp_leftovers(path.parent) == []


def test_compressed_sessions_load_too(tmp_path):
    sim = drive(Simulation(zheng(), 6), [300])
    path = save_session(sim, tmp_path / "c.npz", compress=True)
    loaded, _ = load_session(path)
    assert_same_run(sim, loaded)


# -- validated reads -----------------------------------------------------------------------------
def refused(path: Path, *fragments: str) -> SessionError:
    before = path.read_bytes()
    with pytest.raises(SessionError) as err:
        load_session(path)
    message = str(err.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message, message
    assert path.read_bytes() == before  # a refused file is not touched
    return err.value


@pytest.mark.parametrize("keep", [0.99, 0.5, 0.1])
def test_truncated_file(saved, keep):
    path, _ = saved
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    refused(path, "truncated or corrupted")


def test_empty_and_foreign_files(tmp_path):
    empty = tmp_path / "empty.npz"
    empty.write_bytes(b"")
    refused(empty, "empty")
    text = tmp_path / "text.npz"
    text.write_text("hello")
    refused(text, "not a .npz archive")
    npy = tmp_path / "array.npz"
    np.save(npy.open("wb"), np.zeros(3))
    refused(npy, "not a .npz archive")
    assert isinstance(refused(npy), ValueError)


def test_flipped_bytes_in_the_middle(saved):
    path, _ = saved
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle: middle + 4] = bytes(b ^ 0xFF for b in data[middle: middle + 4])
    path.write_bytes(bytes(data))
    refused(path, "corrupted")


def test_any_flipped_byte_is_refused_or_harmless(tmp_path):
    sim = Simulation(zheng(ne=16, ni=4, lambda_ee=3, lambda_ie=16), 1)
    sim.run(20)
    path = save_session(sim, tmp_path / "tiny.npz")
    good = path.read_bytes()
    reference = read_all(path)
    positions = np.linspace(0, len(good) - 1, 400).astype(int)
    refusals = 0
    for pos in np.unique(positions):
        data = bytearray(good)
        data[pos] ^= 0x5A
        path.write_bytes(bytes(data))
        try:
            got = read_session(path).arrays
        except SessionError:
            refusals += 1
            continue
        # Accepted only when the flip hit zip bookkeeping that carries no data.
        assert got.keys() == reference.keys()
        for key in reference:
            assert np.array_equal(got[key], reference[key]), (pos, key)
    assert refusals > 0.9 * len(np.unique(positions))


@pytest.mark.parametrize("key", ["schema_version", "meta", "params", "change_log", "rng/current",
                                 "state/w_ee", "initial/x", "rec/x", "rec/step", "input/pools",
                                 "rec/snapshots"])
def test_missing_key(saved, key):
    path, _ = saved
    arrays = read_all(path)
    del arrays[key]
    rewrite(path, arrays)
    refused(path, repr(key) if key != "schema_version" else "schema_version")


@pytest.mark.parametrize(("key", "shape"), [("state/w_ee", (40, 39)), ("state/x", (41,)),
                                             ("initial/t_e", (40, 1)), ("rec/x", (K, 6)),
                                             ("rec/n_ee", (K - 1,)), ("input/position", (3,))])
def test_wrong_shape(saved, key, shape):
    path, _ = saved
    arrays = read_all(path)
    arrays[key] = np.zeros(shape, dtype=arrays[key].dtype)
    rewrite(path, arrays)
    refused(path, repr(key), "shape")


def test_wrong_dtype(saved):
    path, _ = saved
    arrays = read_all(path)
    arrays["state/t_e"] = arrays["state/t_e"].astype(np.float32)
    rewrite(path, arrays)
    refused(path, "'state/t_e'", "float32")


def test_pickled_object_array(saved):
    path, _ = saved
    arrays = read_all(path)
    arrays["meta"] = np.array([{"evil": "pickle"}], dtype=object)
    rewrite(path, arrays)
    refused(path, "pickled", "'meta'")


def test_newer_schema_version(saved):
    path, _ = saved
    arrays = read_all(path)
    arrays["schema_version"] = np.array(SCHEMA_VERSION + 1, dtype=np.int64)
    rewrite(path, arrays)
    refused(path, f"schema version {SCHEMA_VERSION + 1}", "newer")


def test_unknown_old_schema_version(saved):
    path, _ = saved
    arrays = read_all(path)
    arrays["schema_version"] = np.array(-1, dtype=np.int64)
    rewrite(path, arrays)
    refused(path, "cannot be upgraded")


@pytest.mark.parametrize(("key", "text", "fragment"), [
    ("meta", "{not json", "not valid JSON"),
    ("params", json.dumps({"ne": 40, "bogus": 1}), "invalid metadata"),
    ("change_log", json.dumps([[5, "ne", 40, 50]]), "change log"),
    ("rng/current", json.dumps({"bit_generator": "PCG64", "state": 3}), "generator state"),
    ("recording", json.dumps({"full": True, "weights_every": 50, "neurons": [1, 99]}),
     "cannot rebuild"),
    # Values JSON allows but integers cannot hold: refused, not an OverflowError.
    ("meta", '{"seed": Infinity, "steps": 257}', "invalid metadata"),
    ("change_log", '[[Infinity, "eta_ip", 0.01, 0.02]]', "change log"),
    ("rng/current", json.dumps({"bit_generator": "PCG64", "state": {"state": 2**200,
                                                                    "inc": 1},
                                "has_uint32": 0, "uinteger": 0}), "generator state"),
])
def test_invalid_metadata(saved, key, text, fragment):
    path, _ = saved
    arrays = read_all(path)
    arrays[key] = np.array(text)
    rewrite(path, arrays)
    refused(path, fragment)


def test_unknown_backend(saved):
    path, _ = saved
    arrays = read_all(path)
    meta = json.loads(str(arrays["meta"]))
    meta["backend"] = "cuda"
    arrays["meta"] = np.array(json.dumps(meta))
    rewrite(path, arrays)
    refused(path, "backend 'cuda'")


def test_invalid_state_values(saved):
    path, _ = saved
    arrays = read_all(path)
    arrays["state/w_ei"][0, 0] = np.nan
    rewrite(path, arrays)
    refused(path, "NaN")


def test_a_different_synapse_order_is_refused(saved):
    path, _ = saved
    arrays = read_all(path)
    arrays["engine/ee_in"] = arrays["engine/ee_in"][::-1].copy()
    rewrite(path, arrays)
    refused(path, "'engine/ee_in'")


def test_a_malformed_kernel_flag_is_refused(saved):
    path, _ = saved
    arrays = read_all(path)
    arrays["engine/renorm_all"] = np.array([True, False])
    rewrite(path, arrays)
    refused(path, "'engine/renorm_all'", "shape")


def test_bad_zip_member_is_reported(saved):
    path, _ = saved
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("junk.npy", b"\x93NUMPY garbage")
    refused(path, "'junk'")


# -- migration -----------------------------------------------------------------------------------
def make_v0(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Write ``arrays`` the way the schema-0 draft did (see session._migrate_v0)."""
    out = {k: v for k, v in arrays.items()
           if not k.startswith("state/") and not k.startswith("rng/")}
    for name in STATE_FIELDS:
        out[f"final/{name}"] = arrays[f"state/{name}"]
    out["rng"] = np.array(json.dumps({"initial": json.loads(str(arrays["rng/initial"])),
                                      "current": json.loads(str(arrays["rng/current"]))}))
    meta = json.loads(str(arrays["meta"]))
    del meta["app_version"], meta["backend"]
    out["meta"] = np.array(json.dumps(meta))
    out["schema_version"] = np.array(0, dtype=np.int64)
    return out


def test_older_schema_is_migrated(saved, tmp_path):
    path, sim = saved
    assert 0 in MIGRATIONS
    old = tmp_path / "v0.npz"
    rewrite(old, make_v0(read_all(path)))
    loaded, info = load_session(old)
    assert info.schema_version == 0
    assert info.app_version == "unknown (schema 0)" and info.backend == "numba"
    assert_same_run(sim, loaded)
    sim.run(100)
    loaded.run(100)
    assert_same_run(sim, loaded)
    assert replay_session(old).matched


def test_broken_old_file_is_refused(saved, tmp_path):
    path, _ = saved
    arrays = make_v0(read_all(path))
    arrays["rng"] = np.array("{}")
    old = tmp_path / "v0.npz"
    rewrite(old, arrays)
    refused(old, "upgrading schema version 0")
