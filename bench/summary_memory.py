#!/usr/bin/env python3
"""Memory and time of a Summary: python bench/summary_memory.py MEMBERS ORDERS."""
import datetime as dt, resource, sys, time, os
import numpy as np, pyarrow as pa
from loyalty import analytics
n_members = int(sys.argv[1]); n_orders = int(sys.argv[2])
rng = np.random.default_rng(1)
start = int(dt.datetime(2023,1,1,tzinfo=dt.timezone.utc).timestamp()*1e6)
t = pa.table({"member_id": pa.array(rng.integers(0, n_members, n_orders), pa.int64()),
              "ordered_at": pa.array(start + rng.integers(0, 500*86400*10**6, n_orders), pa.timestamp("us", tz="UTC")),
              "amount_minor": pa.array(rng.integers(100, 50000, n_orders), pa.int64())})
def rss(): return int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
before = rss()
t0 = time.time()
s = analytics.summarize(t, as_of=dt.datetime(2024,6,1,tzinfo=dt.timezone.utc), amount_minor="amount_minor")
el = time.time() - t0
after = rss()
print(f"members {n_members} orders {n_orders}: summarize {el:.2f} s, rss +{after-before:.0f} MB, bytes {len(s.to_bytes())/1e6:.0f} MB")
t0 = time.time()
b = s.to_bytes()
t1 = time.time()
s2 = analytics.Summary.from_bytes(b, library="pyarrow")
t2 = time.time()
out, cuts = analytics.rfm(s2, as_of=dt.datetime(2024,6,1,tzinfo=dt.timezone.utc), return_cut_points=True)
t3 = time.time()
print(f"to_bytes {t1-t0:.2f} s, from_bytes {t2-t1:.2f} s, fit+score {t3-t2:.2f} s for {out.num_rows} members")
