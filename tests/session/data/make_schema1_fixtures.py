"""Write the schema-1 session fixtures (run once, with the code of commit 135ebd9, before the
restructure of issue 11; kept to show how the files were made, not run by the tests)."""
import numpy as np

from sorn_studio import RecordingSpec, Simulation, load_preset
from sorn_studio.session import save_session

out = "tests/session/data"  # run from the project root
p = load_preset("zheng2013", ne=24, ni=5, lambda_ee=5, lambda_ei=2, lambda_ie=24)
sim = Simulation(p, seed=3, recording=RecordingSpec(window=800, weights_every=500,
                                                    neurons=(0, 11, 23)))
sim.run(700)
sim.apply_params(eta_stdp=0.01)
sim.run(300)
sim.apply_params(stdp=False, mu_ip=0.12)
sim.run(500)
sim.apply_params(eta_ip=0.02)   # pending at save time
save_session(sim, f"{out}/schema1_zheng2013_step1500.npz", preset="zheng2013",
             extra={"fixture": "written by sorn-studio 0.1.0 at commit 135ebd9"}, compress=True)
sim.run(1000)
save_session(sim, f"{out}/schema1_zheng2013_step2500.npz", preset="zheng2013",
             extra={"fixture": "uninterrupted continuation of step1500"}, compress=True)

q = load_preset("sorn-0.7.4", ne=20, ni=4, lambda_ee=5, lambda_ei=2, lambda_ie=20, nu=4)
raw = np.random.default_rng(7).random((4, 900))
spec = RecordingSpec(full=True, drive=True, t_e_full=True, neurons=(1, 2))
sim = Simulation(q, seed=5, recording=spec, raw_input=raw)
sim.run(400)
save_session(sim, f"{out}/schema1_raw_step400.npz", preset="sorn-0.7.4", compress=True)
sim.run(500)
save_session(sim, f"{out}/schema1_raw_step900.npz", preset="sorn-0.7.4", compress=True)
