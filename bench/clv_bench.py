"""CLV benchmark: loyalty.clv against the `lifetimes` package, on the CDNOW sample and on
synthetic order logs drawn from the BG/NBD and Gamma-Gamma processes themselves.

The synthetic members behave like CDNOW's: each joins on a day of the first 12 weeks of a
78-week window, buys at a gamma(r, alpha)-distributed weekly rate, drops out after each
purchase with a beta(a, b)-distributed probability, and spends gamma(p, nu) per order with
nu gamma(q, gamma)-distributed, using the published CDNOW estimates. Weekly units, 39-week
calibration. Each figure is the best of `--repeat` runs in this process.

Usage:
  python bench/clv_bench.py [--lifetimes MAX] [--repeat 3] [--threads 2] MEMBERS [MEMBERS ...]

Prints one JSON line per (dataset, implementation, stage).
"""
import argparse
import datetime as dt
import json
import os
import sys
import time

import numpy as np
import pandas as pd

import loyalty.clv as clv

# Published CDNOW estimates (Fader, Hardie & Lee 2005; Fader & Hardie 2013), weekly units.
R, ALPHA, A, B = 0.243, 4.414, 0.793, 2.426
P, Q, GAMMA = 6.25, 3.74, 15.44
START = dt.date(1997, 1, 1)
CALIBRATION_END = START + dt.timedelta(weeks=39)
HOLDOUT_END = START + dt.timedelta(weeks=78)


def synthetic_log(members: int, seed: int = 7) -> pd.DataFrame:
    """Orders of `members` members: member_id, ordered_at (datetime64[s]), amount_minor."""
    rng = np.random.default_rng(seed)
    joined = rng.integers(0, 84, members).astype(np.float64)  # day of the first purchase
    rate = rng.gamma(R, 1.0 / ALPHA, members) / 7.0  # purchases per day
    drop = rng.beta(A, B, members)
    nu = rng.gamma(Q, 1.0 / GAMMA, members)
    end = (HOLDOUT_END - START).days
    ids, days = [np.arange(members, dtype=np.int64)], [joined.copy()]
    t = joined.copy()
    alive = np.ones(members, dtype=bool)
    first = True
    while True:
        # After each repeat purchase the member drops out with probability `drop` (never right
        # after the first: the model's P(alive) is 1 without repeats).
        if not first:
            alive &= rng.random(members) >= drop
        first = False
        t = t + rng.exponential(1.0, members) / np.maximum(rate, 1e-12)
        alive &= t < end
        if not alive.any():
            break
        idx = np.flatnonzero(alive)
        ids.append(idx.astype(np.int64))
        days.append(t[idx])
    member = np.concatenate(ids)
    day = np.floor(np.concatenate(days)).astype(np.int64)
    value = rng.gamma(P, 1.0, member.size) / nu[member]
    start = np.datetime64(START.isoformat(), "s")
    return pd.DataFrame({
        "member_id": member,
        "ordered_at": start + day * np.timedelta64(86_400, "s"),
        "amount_minor": np.maximum(np.round(value * 100), 1).astype(np.int64),
    })


def cdnow_log(root: str) -> pd.DataFrame:
    rows = np.loadtxt(os.path.join(root, "examples/data/CDNOW_sample.txt"), dtype=str)
    return pd.DataFrame({
        "member_id": rows[:, 1].astype(np.int64),
        "ordered_at": pd.to_datetime(rows[:, 2], format="%Y%m%d").astype("datetime64[s]"),
        "amount_minor": np.round(rows[:, 4].astype(float) * 100).astype(np.int64),
    })


def best(repeat, fn):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def emit(**row):
    print(json.dumps(row), flush=True)


def run_loyalty(name, log, calibration_end, holdout_end, repeat, threads):
    t, s = best(repeat, lambda: clv.summary(log, calibration_end=calibration_end, holdout_end=holdout_end,
                                            amount_minor="amount_minor"))
    emit(data=name, impl="loyalty", stage="summary", seconds=round(t, 4), members=len(s))
    t_bg, bg = best(repeat, lambda: clv.BgNbd.fit(s))
    emit(data=name, impl="loyalty", stage="bgnbd_fit", seconds=round(t_bg, 4),
         params=[round(v, 4) for v in (bg.r, bg.alpha, bg.a, bg.b)], ll=round(bg.log_likelihood, 2))
    t_gg, gg = best(repeat, lambda: clv.GammaGamma.fit(s))
    emit(data=name, impl="loyalty", stage="gamma_gamma_fit", seconds=round(t_gg, 4),
         params=[round(v, 4) for v in (gg.p, gg.q, gg.gamma)], ll=round(gg.log_likelihood, 2))
    fits = t_bg + t_gg
    for count in sorted({1, threads}):
        t, pred = best(repeat, lambda: bg.predict(s, 39.0, threads=count))
        emit(data=name, impl="loyalty", stage="bgnbd_predict", threads=count, seconds=round(t, 4),
             expected_sum=round(float(pred["expected_purchases"].sum()), 2),
             p_alive_mean=round(float(pred["p_alive"].mean()), 5))
        # Fit and predict: both fits and the predictions, the stages' best times summed.
        emit(data=name, impl="loyalty", stage="fit_and_predict", threads=count, seconds=round(fits + t, 4))
    return s


def run_lifetimes(name, log, s, calibration_end, repeat):
    """`lifetimes` on the same data; fitted on loyalty's summary so parameters compare."""
    from lifetimes import BetaGeoFitter, GammaGammaFitter
    from lifetimes.utils import summary_data_from_transaction_data

    def summarize():
        df = log.assign(amount=log["amount_minor"] / 100.0)
        return summary_data_from_transaction_data(
            df, "member_id", "ordered_at", monetary_value_col="amount",
            observation_period_end=pd.Timestamp(calibration_end), freq="D", freq_multiplier=7)

    t, ls = best(1, summarize)
    emit(data=name, impl="lifetimes", stage="summary", seconds=round(t, 4), members=len(ls))

    def fit_bg():
        m = BetaGeoFitter()
        m.fit(s["frequency"], s["recency"], s["T"])
        return m

    t_bg, bg = best(repeat, fit_bg)
    t = t_bg
    p = bg.params_
    emit(data=name, impl="lifetimes", stage="bgnbd_fit", seconds=round(t, 4),
         params=[round(float(p[k]), 4) for k in ("r", "alpha", "a", "b")])
    repeaters = s[s["frequency"] > 0]

    def fit_gg():
        m = GammaGammaFitter()
        m.fit(repeaters["frequency"], repeaters["monetary"])
        return m

    t_gg, gg = best(repeat, fit_gg)
    t = t_gg
    p = gg.params_
    emit(data=name, impl="lifetimes", stage="gamma_gamma_fit", seconds=round(t, 4),
         params=[round(float(p[k]), 4) for k in ("p", "q", "v")])

    def predict():
        alive = bg.conditional_probability_alive(s["frequency"], s["recency"], s["T"])
        expected = bg.conditional_expected_number_of_purchases_up_to_time(39.0, s["frequency"], s["recency"], s["T"])
        return alive, expected

    t, (alive, expected) = best(repeat, predict)
    emit(data=name, impl="lifetimes", stage="bgnbd_predict", seconds=round(t, 4),
         expected_sum=round(float(np.sum(expected)), 2), p_alive_mean=round(float(np.mean(alive)), 5))
    emit(data=name, impl="lifetimes", stage="fit_and_predict", seconds=round(t_bg + t_gg + t, 4))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("members", nargs="*", type=int)
    ap.add_argument("--lifetimes", type=int, default=0, metavar="MAX",
                    help="also run the lifetimes package, on CDNOW and on sizes up to MAX members")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1,
                    help="also time loyalty's predictions on this many threads (besides one)")
    args = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    log = cdnow_log(root)
    s = run_loyalty("cdnow", log, dt.date(1997, 9, 30), dt.date(1998, 6, 30), args.repeat, args.threads)
    if args.lifetimes:
        run_lifetimes("cdnow", log, s, dt.date(1997, 9, 30), args.repeat)
    for n in args.members:
        t0 = time.perf_counter()
        log = synthetic_log(n)
        print(f"# {n} members: {len(log)} orders generated in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        name = f"synthetic_{n}"
        s = run_loyalty(name, log, CALIBRATION_END, HOLDOUT_END, args.repeat, args.threads)
        if n <= args.lifetimes:
            run_lifetimes(name, log, s, CALIBRATION_END, args.repeat)


if __name__ == "__main__":
    main()
