"""crmlab against its peers, side by side in one run (issue 20).

Each line of the issue's table is timed for crmlab and for the peer in the same run:
lifetimes (and pymc-marketing's MAP fit where it applies) run in the separate benchmark
venv ``.venv-bench`` that ``make bench`` creates from ``requirements/bench-peers.txt``,
so the project's own environment stays clean. Every measurement is a fresh subprocess
that loads the same generated data from disk, so its peak memory (``ru_maxrss``) is its
own (VmHWM); runs are paired (crmlab and peer back to back, the order alternating) and the
medians of ``--repeats`` pairs are printed with the ratio. A second part prints the
growth of crmlab's fit times with the number of customers.

Usage (from the repository root)::

    PYTHONPATH=$PWD .venv/bin/python benchmarks/bench_peers.py [--repeats 3] [--sizes 100000,1000000]
        [--peer-python .venv-bench/bin/python] [--no-pymc] [--quick] [--only bg,pareto]
        [--bg-sizes 200000,1000000] [--pareto-sizes 200000,1000000]

The machine's load average is printed with the figures: on a shared machine wall
times are noisy, the ratios of paired runs less so.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]

# --------------------------------------------------------------------------- data


def _write_data(folder: Path, n: int, kind: str) -> Path:
    """Generate ``n`` customers (continuous times, or a daily grid) and store them as .npz."""
    from crmlab.clv import simulate_bgnbd, simulate_pareto_nbd

    path = folder / f"{kind}_{n}.npz"
    if path.exists():
        return path
    rng = np.random.default_rng(n)
    T = 39.0 + rng.uniform(0.0, 12.0, n)
    if kind == "pareto":
        df = simulate_pareto_nbd(n, r=0.553, alpha=10.578, s=0.606, beta=11.669, T=T, random_state=2)
    else:
        resolution = 1 / 7 if kind == "grid" else None
        df = simulate_bgnbd(n, r=0.243, alpha=4.414, a=0.793, b=2.426, T=T, resolution=resolution,
                            random_state=1)
    x = df["frequency"].to_numpy(float)
    nu = rng.gamma(3.74, 1 / 15.45, n)  # Gamma-Gamma spend: p=6.25, q=3.74, gamma=15.45
    xs = np.maximum(x, 1.0)
    z = np.where(x > 0, rng.gamma(6.25 * xs, 1 / (nu * xs)), 0.0)
    np.savez(path, frequency=x, recency=df["recency"].to_numpy(float), T=df["T"].to_numpy(float),
             monetary_value=z)
    return path


# --------------------------------------------------------------------------- one measurement (child process)

_BG = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


def _peak_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss it is not inherited across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(job: str, path: str) -> dict:
    """Run one job on the data at ``path`` and return its time, peak memory and result."""
    arr = np.load(path)
    df = pd.DataFrame({k: arr[k] for k in ("frequency", "recency", "T", "monetary_value")})
    df.insert(0, "customer_id", np.arange(len(df)))
    repeat = df[df["frequency"] > 0].reset_index(drop=True)
    out: dict = {}
    if job.startswith("pymc"):
        import logging
        import warnings

        warnings.filterwarnings("ignore")
        logging.getLogger("pymc").setLevel(logging.ERROR)
        from pymc_marketing import clv as pmc
    elif job.startswith("lifetimes"):
        from lifetimes import BetaGeoFitter, GammaGammaFitter, ParetoNBDFitter
    else:
        import crmlab
        from crmlab.clv import BetaGeoModel, GammaGammaModel, ParetoNBDModel

        out["crmlab_root"] = str(Path(crmlab.__file__).resolve().parents[1])  # which crmlab was measured
    rss0 = _peak_mb()
    t0 = time.perf_counter()
    if job == "crmlab_gg":
        m = GammaGammaModel().fit(repeat)
        out["ll"] = m.log_likelihood_
    elif job == "lifetimes_gg":
        m = GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])
        out["params"] = [float(v) for v in m.params_]
    elif job == "pymc_gg":
        m = pmc.GammaGammaModel(data=repeat[["customer_id", "frequency", "monetary_value"]])
        m.fit(method="map", progressbar=False)
    elif job in ("crmlab_bg", "crmlab_pareto"):
        m = (BetaGeoModel if job == "crmlab_bg" else ParetoNBDModel)().fit(df)
        out["ll"] = m.log_likelihood_
        out["params"] = [float(v) for v in m.params_]
    elif job in ("lifetimes_bg", "lifetimes_pareto"):
        m = (BetaGeoFitter if job == "lifetimes_bg" else ParetoNBDFitter)().fit(df["frequency"], df["recency"],
                                                                               df["T"])
        out["params"] = [float(v) for v in m.params_]
    elif job == "pymc_bg":
        m = pmc.BetaGeoModel(data=df[["customer_id", "frequency", "recency", "T"]])
        m.fit(method="map", progressbar=False)
    elif job == "crmlab_predict":
        m = BetaGeoModel()
        m.params_ = pd.Series(_BG)  # fixed parameters: prediction time only
        m.probability_alive(df)
        m.expected_purchases(39.0, df)
    elif job == "lifetimes_predict":
        m = BetaGeoFitter()
        m.params_ = pd.Series(_BG)
        m.conditional_probability_alive(df["frequency"], df["recency"], df["T"])
        m.conditional_expected_number_of_purchases_up_to_time(39.0, df["frequency"], df["recency"], df["T"])
    else:
        raise ValueError(job)
    out["seconds"] = time.perf_counter() - t0
    peak = _peak_mb()
    out["peak_mb"] = peak
    out["extra_mb"] = peak - rss0
    return out


def _run(python: str, job: str, path: Path, timeout: float) -> dict | None:
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
               MKL_NUM_THREADS="1")
    cmd = [python, str(Path(__file__).resolve()), "--child", job, str(path)]
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"over {timeout:.0f} s"}
    lines = [ln for ln in res.stdout.splitlines() if ln.startswith("RESULT ")]
    if res.returncode != 0 or not lines:
        return {"error": (res.stderr.strip().splitlines() or ["failed"])[-1][:120]}
    return json.loads(lines[-1][7:])


# --------------------------------------------------------------------------- orchestration


def _versions(python: str) -> str:
    """numpy, pandas and pyarrow versions of an interpreter (pandas 3 imports pyarrow when it is installed)."""
    code = ("import importlib.metadata as m\n"
            "def v(d):\n"
            "    try:\n        return m.version(d)\n"
            "    except m.PackageNotFoundError:\n        return 'absent'\n"
            "print(', '.join(f'{d} {v(d)}' for d in ('numpy', 'pandas', 'pyarrow')))")
    res = subprocess.run([python, "-c", code], capture_output=True, text=True, check=False)
    return res.stdout.strip() or "unknown"


def _load() -> str:
    return " ".join(f"{v:.1f}" for v in os.getloadavg())


def _fmt(r: dict | None) -> str:
    if r is None or "error" in r:
        return f"{'—':>9} {'':>17}"
    return f"{r['seconds']:8.2f}s {r['peak_mb']:6.0f}MB (+{r['extra_mb']:4.0f})"


def _median(runs: list[dict]) -> dict | None:
    ok = [r for r in runs if r and "error" not in r]
    if not ok:
        return runs[0] if runs else None
    return {"seconds": float(np.median([r["seconds"] for r in ok])),
            "peak_mb": float(np.median([r["peak_mb"] for r in ok])),
            "extra_mb": float(np.median([r["extra_mb"] for r in ok])),
            "ll": ok[0].get("ll"), "params": ok[0].get("params"), "n": len(ok),
            "crmlab_root": ok[0].get("crmlab_root")}


def _loglik_at(job: str, params: list[float], path: Path) -> float:
    """crmlab's total log-likelihood of the data at a peer's parameter estimates."""
    from crmlab.clv import BetaGeoModel, GammaGammaModel, ParetoNBDModel

    arr = np.load(path)
    df = pd.DataFrame({k: arr[k] for k in ("frequency", "recency", "T", "monetary_value")})
    if job == "crmlab_gg":
        names = ("p", "q", "gamma")
        m = GammaGammaModel()
        m.params_ = pd.Series(dict(zip(names, params, strict=True)))
        return float(m.individual_log_likelihood(df[df["frequency"] > 0]).sum())
    model = BetaGeoModel() if job == "crmlab_bg" else ParetoNBDModel()
    m = model.fit(df.iloc[:2000])  # sets the columns read; parameters replaced below
    m.params_ = pd.Series(dict(zip(model._param_names, params, strict=True)))
    return float(m.individual_log_likelihood(df).sum())


def _pair(label: str, ours: str, theirs: list[tuple[str, str]], path: Path, args: argparse.Namespace) -> None:
    """Paired runs of crmlab and each peer; print medians, ratio, peak memory, log-likelihoods."""
    runs: dict[str, list[dict]] = {ours: []} | {job: [] for _, job in theirs}
    for i in range(args.repeats):
        order = [(sys.executable, ours)] + [(args.peer_python, job) for _, job in theirs]
        if i % 2:
            order = order[::-1]
        for python, job in order:
            runs[job].append(_run(python, job, path, args.timeout))
            r = runs[job][-1]
            print(f"      pair {i + 1}: {job:<17} " + (f"{r['seconds']:.2f}s" if "error" not in r else r["error"]),
                  flush=True)
            if "error" in r:
                break  # a failing or too slow job is not repeated
    med = {job: _median(r) for job, r in runs.items()}
    mine = med[ours]
    for _, job in theirs:  # the peer's estimate scored by crmlab's log-likelihood: same maximum?
        m = med[job]
        if m and m.get("params") and mine and mine.get("ll") is not None:
            m["ll"] = _loglik_at(ours, m["params"], path)
    print(f"{label}")
    root = mine.get("crmlab_root") if mine else None
    where = "" if root in (None, str(ROOT)) else f"; WARNING: measured the crmlab in {root}, not {ROOT}"
    print(f"    crmlab            {_fmt(mine)}  (n={mine.get('n', 0) if mine else 0}, load {_load()}{where})")
    for name, job in theirs:
        m = med[job]
        ratio = ""
        if m and "error" not in m and mine and "error" not in mine:
            ratio = f"crmlab {m['seconds'] / mine['seconds']:.1f}x faster" if m["seconds"] >= mine["seconds"] \
                else f"crmlab {mine['seconds'] / m['seconds']:.1f}x SLOWER"
            if mine.get("ll") is not None and m.get("ll") is not None:
                ratio += f"; log-lik crmlab {mine['ll']:.8g} vs {m['ll']:.8g} (rel. diff " \
                         f"{abs(mine['ll'] - m['ll']) / abs(m['ll']):.1e})"
        elif m and "error" in m:
            ratio = f"not run: {m['error']}"
        print(f"    {name:<17} {_fmt(m)}  {ratio}")
    sys.stdout.flush()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--sizes", default="100000,1000000", help="growth sizes (customers), comma-separated")
    ap.add_argument("--peer-python", default=str(ROOT / ".venv-bench" / "bin" / "python"))
    ap.add_argument("--no-pymc", action="store_true", help="skip pymc-marketing (slow to compile)")
    ap.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    ap.add_argument("--timeout", type=float, default=900.0)
    ap.add_argument("--only", default="gg,bg,pareto,predict,growth", help="lines to run, comma-separated")
    ap.add_argument("--bg-sizes", default=None, help="customers for the BG/NBD lines (default 200000,1000000)")
    ap.add_argument("--pareto-sizes", default=None, help="customers for the Pareto/NBD lines (default as BG/NBD)")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print("RESULT " + json.dumps(_child(*args.child)))
        return
    if not Path(args.peer_python).exists():
        sys.exit(f"bench_peers: no peer interpreter at {args.peer_python}; `make bench` creates .venv-bench.")
    big, mid, pred = (20_000, 5_000, 20_000) if args.quick else (1_000_000, 200_000, 1_000_000)
    pymc = [] if args.no_pymc else [("pymc-marketing MAP", "pymc_gg")]
    pymc_bg = [] if args.no_pymc else [("pymc-marketing MAP", "pymc_bg")]
    print(f"crmlab vs peers: medians of {args.repeats} paired runs, each a fresh process; "
          f"{os.cpu_count()} CPUs, load average at start {_load()}; crmlab from {ROOT} (PYTHONPATH of every run)")
    print("    memory: the process's peak resident memory (imports + data + work) and, in brackets, how much the "
          "work added over the loaded data")
    print(f"    environments: crmlab {_versions(sys.executable)}; peers {_versions(args.peer_python)}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        only = set(args.only.split(","))
        if "gg" in only:
            _pair(f"Gamma-Gamma fit, {big:,} customers (repeat buyers only, continuous spend)", "crmlab_gg",
                  [("lifetimes", "lifetimes_gg"), *pymc], _write_data(folder, big, "cont"), args)
        def fit_sizes(given: str | None) -> list[int]:
            return [int(v) for v in given.split(",")] if given else [mid, big]

        for n in fit_sizes(args.bg_sizes) if "bg" in only else ():
            _pair(f"BG/NBD fit, {n:,} customers, continuous times (no repeated rows)", "crmlab_bg",
                  [("lifetimes", "lifetimes_bg"), *(pymc_bg if n == mid else [])],
                  _write_data(folder, n, "cont"), args)
        for n in fit_sizes(args.pareto_sizes) if "pareto" in only else ():
            _pair(f"Pareto/NBD fit, {n:,} customers, continuous times (no repeated rows)", "crmlab_pareto",
                  [("lifetimes", "lifetimes_pareto")], _write_data(folder, n, "pareto"), args)
        if "predict" in only:
            _pair(f"P(alive) + expected purchases, {pred:,} customers (daily grid), fixed parameters",
                  "crmlab_predict", [("lifetimes", "lifetimes_predict")], _write_data(folder, pred, "grid"), args)
        if "growth" not in only:
            return
        sizes = [int(s) for s in args.sizes.split(",")] if not args.quick else [5_000, 20_000]
        print("growth of crmlab's fit time with customers (continuous times; median of paired repeats):")
        for job, label in (("crmlab_gg", "Gamma-Gamma"), ("crmlab_bg", "BG/NBD")):
            prev = None
            for n in sizes:
                path = _write_data(folder, n, "cont")
                m = _median([_run(sys.executable, job, path, args.timeout) for _ in range(args.repeats)])
                slope = ""
                if prev and m and "error" not in m:
                    slope = f"  slope log(t)/log(n) = {np.log(m['seconds'] / prev[1]) / np.log(n / prev[0]):.2f}"
                print(f"    {label:<12} {n:>11,}  {_fmt(m)}{slope}  (load {_load()})")
                if m and "error" not in m:
                    prev = (n, m["seconds"])
                sys.stdout.flush()


if __name__ == "__main__":
    main()
