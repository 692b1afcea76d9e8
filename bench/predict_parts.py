"""Where loyalty.clv.BgNbd.predict's time goes at the Python level, on clv_bench's synthetic
log: the whole call on one and two threads, the native call alone (columns read in place
through the Arrow C stream, outputs written into one bytearray), building the pandas frame
with `assign` (copies the new columns) against a DataFrame over them (no copy), and the
lifetimes package's P(alive) + expected purchases when it is installed.

Usage:
  python bench/predict_parts.py [MEMBERS]      (default 1000000)
"""
import os
import sys
import time

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clv_bench import CALIBRATION_END, HOLDOUT_END, synthetic_log  # noqa: E402

import loyalty.clv as clv  # noqa: E402
from loyalty import _native  # noqa: E402


def best(n, fn):
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return round(min(times) * 1000, 2)


def main():
    members = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    s = clv.summary(synthetic_log(members), calibration_end=CALIBRATION_END, holdout_end=HOLDOUT_END,
                    amount_minor="amount_minor")
    bg = clv.BgNbd.fit(s)
    params = (bg.r, bg.alpha, bg.a, bg.b)
    print(f"members {len(s)}, share without repeats {float((s['frequency'] == 0).mean()):.3f}")
    for threads in (1, 2):
        print(f"predict, {threads} thread(s): {best(30, lambda: bg.predict(s, 39.0, threads=threads))} ms")
        native = best(30, lambda: _native.bgnbd_predict_arrow(params, clv._customer_source(s, "pandas"),
                                                              clv._CUSTOMER_COLUMNS, 39.0, 0.3, 0.7, threads))
        print(f"  native call, {threads} thread(s): {native} ms")
    out = bg.predict(s, 39.0)
    new = {c: out[c].to_numpy() for c in ("p_alive", "expected_purchases")}
    print(f"pandas assign of two columns: {best(30, lambda: s.assign(**new))} ms")
    print(f"DataFrame over the columns: {best(30, lambda: clv._pandas_with(s, new))} ms")
    try:
        from lifetimes import BetaGeoFitter
    except ImportError:
        return
    lt = BetaGeoFitter()
    lt.params_ = pd.Series({"r": bg.r, "alpha": bg.alpha, "a": bg.a, "b": bg.b})

    def lifetimes_predict():
        lt.conditional_probability_alive(s["frequency"], s["recency"], s["T"])
        lt.conditional_expected_number_of_purchases_up_to_time(39.0, s["frequency"], s["recency"], s["T"])

    print(f"lifetimes P(alive) + expected purchases: {best(3, lifetimes_predict)} ms")
    assert np.isfinite(out["p_alive"].to_numpy()).all()


if __name__ == "__main__":
    main()
