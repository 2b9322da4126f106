"""Benchmark crmlab.satisfaction PLS path models: the bootstrap target is 5,000 resamples of 250 respondents < 10 s.

Prints sizes and seconds; no assertions (timings depend on the machine and its load).
Run: ``python benchmarks/bench_pls.py``.
"""

from __future__ import annotations

import time

from crmlab.datasets import load_mobi
from crmlab.satisfaction import PLSPathModel, ecsi_model
from crmlab.synth.pls_surveys import make_pls_survey


def _measure(label: str, func) -> None:
    t0 = time.perf_counter()
    func()
    print(f"{label:70s} {time.perf_counter() - t0:7.2f} s")


def main() -> None:
    mobi = load_mobi()
    ecsi = ecsi_model().fit(mobi)
    _measure("ECSI on mobi (250 respondents, Mode A): bootstrap 5,000 resamples",
             lambda: ecsi.bootstrap(mobi, n_boot=5000, random_state=0))
    mode_b = ecsi_model(modes={"Image": "B", "Quality": "B", "Value": "B"}).fit(mobi)
    _measure("ECSI on mobi, Image/Quality/Value Mode B: bootstrap 5,000 resamples",
             lambda: mode_b.bootstrap(mobi, n_boot=5000, random_state=0))
    s = make_pls_survey(250, random_state=0)
    moderated = PLSPathModel(s.blocks, s.paths, modes=s.modes, interactions=s.interactions).fit(s.items)
    _measure("driver survey (250), two-stage interaction: bootstrap 5,000 resamples",
             lambda: moderated.bootstrap(s.items, n_boot=5000, random_state=0))
    _measure("ECSI on mobi: fit", lambda: ecsi_model().fit(mobi))


if __name__ == "__main__":
    main()
