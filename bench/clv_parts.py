"""Where loyalty.clv's Gamma-Gamma fit spends its time on clv_bench's 1M-member synthetic log:
copying the two columns into bytes, and the native fit (with its number of passes over the
repeat buyers).

Usage:  python bench/clv_parts.py [MEMBERS]
"""
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import clv_bench as cb  # noqa: E402
import loyalty.clv as clv  # noqa: E402
from loyalty import _native  # noqa: E402


def main():
    members = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    log = cb.synthetic_log(members)
    s = clv.summary(log, calibration_end=cb.CALIBRATION_END, holdout_end=cb.HOLDOUT_END, amount_minor="amount_minor")
    print("repeat buyers", int((s["frequency"] > 0).sum()))
    for _ in range(3):
        t0 = time.perf_counter()
        f = np.ascontiguousarray(s["frequency"], dtype="<u8").tobytes()
        m = np.ascontiguousarray(s["monetary"], dtype="<f8").tobytes()
        t1 = time.perf_counter()
        fit = _native.gamma_gamma_fit(f, m)
        t2 = time.perf_counter()
        clv.GammaGamma.fit(s)
        t3 = time.perf_counter()
        print(f"bytes {t1 - t0:.4f} s  native fit {t2 - t1:.4f} s ({fit[4]} passes)  GammaGamma.fit {t3 - t2:.4f} s")


if __name__ == "__main__":
    main()
