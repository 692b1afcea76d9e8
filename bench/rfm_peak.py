"""Peak memory of one `loyalty.analytics.rfm` call on a log, sampled from outside: the call
holds the interpreter lock while it builds its frame, so a thread in the same process would
miss the peak. Prints the RSS before the call, the peak and when it came.

Usage: python bench/rfm_peak.py [LOG_DIR] [THREADS]
"""
import os
import subprocess
import sys
import time

CHILD = r'''
import datetime, sys, time
import numpy as np, pandas as pd, loyalty
d, threads = sys.argv[1], int(sys.argv[2])
cols = {name: np.fromfile(f"{d}/{name}.{kind}", dtype=f"<{kind[0]}8")
        for name, kind in [("member_id", "u64"), ("ordered_at", "i64"), ("amount_minor", "i64")]}
as_of = datetime.datetime.fromtimestamp(1_735_689_600, datetime.timezone.utc)
print("ready", flush=True)
time.sleep(0.3)
start = time.perf_counter()
out = loyalty.analytics.rfm(pd.DataFrame(cols, copy=False), as_of=as_of, amount_minor="amount_minor", threads=threads)
print(f"{time.perf_counter() - start:.3f} s, {len(out):,} members", flush=True)
time.sleep(0.3)
'''


def main():
    log = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "data", "orders_10000000")
    threads = sys.argv[2] if len(sys.argv) > 2 else "1"
    child = subprocess.Popen([sys.executable, "-c", CHILD, log, threads], stdout=subprocess.PIPE, text=True)
    child.stdout.readline()
    samples, started, page = [], time.perf_counter(), os.sysconf("SC_PAGE_SIZE")
    with open(f"/proc/{child.pid}/statm") as statm:
        while child.poll() is None:
            statm.seek(0)
            try:
                samples.append((time.perf_counter() - started, int(statm.read().split()[1]) * page / 2**20))
            except (IndexError, ValueError, ProcessLookupError):
                break
    print(child.stdout.read().strip())
    at, peak = max(samples, key=lambda s: s[1])
    print(f"before the call {samples[0][1]:.0f} MiB, peak {peak:.0f} MiB at {at * 1000:.0f} ms")


if __name__ == "__main__":
    main()
