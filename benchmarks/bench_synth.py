"""Benchmark of crmlab.synth.make_customer_world: 100k and 1M customers (issue 3).

Each size runs in a fresh subprocess so that its peak memory (ru_maxrss) is its own.
Prints wall and CPU seconds (CPU time is what an unloaded 2-core machine would see
as wall time: the generator is single-threaded), transactions, throughput and peak RSS.
Target: 1,000,000 customers (~10 million transactions) in < 20 s and < 4 GB.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time

SIZES = (100_000, 1_000_000)


def one(n: int) -> dict:
    from crmlab.synth import make_customer_world

    wall, cpu = time.perf_counter(), time.process_time()
    world = make_customer_world(n, random_state=1)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # Linux: KiB
    return {"customers": n, "transactions": len(world.transactions), "wall_s": wall, "cpu_s": cpu,
            "peak_gb": peak_gb}


def main() -> None:
    rows = []
    for n in SIZES:
        out = subprocess.run([sys.executable, __file__, "--one", str(n)], check=True, capture_output=True, text=True)
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"{'customers':>10} {'transactions':>13} {'wall s':>8} {'cpu s':>8} {'tx/cpu-s':>10} {'peak GB':>8}")
    for r in rows:
        print(f"{r['customers']:>10,} {r['transactions']:>13,} {r['wall_s']:>8.2f} {r['cpu_s']:>8.2f} "
              f"{r['transactions'] / r['cpu_s']:>10,.0f} {r['peak_gb']:>8.2f}")
    small, big = rows[0], rows[-1]
    print(f"growth 1M/100k: customers x{big['customers'] / small['customers']:.0f}, "
          f"cpu time x{big['cpu_s'] / small['cpu_s']:.1f}, wall time x{big['wall_s'] / small['wall_s']:.1f}")
    ok = big["cpu_s"] < 20 and big["peak_gb"] < 4
    print(f"target (1M customers < 20 s CPU, < 4 GB peak): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        print(json.dumps(one(int(sys.argv[2]))))
    else:
        main()
