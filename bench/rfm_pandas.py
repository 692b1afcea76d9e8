"""RFM of the CDNOW order log, computed independently with pandas, as the golden file the
Rust analytics are checked against (core/tests/analytics.rs).

Rules (the same as the core's documented ones):
- as of 1998-07-01 00:00 UTC; each order on its date (UTC); recency in whole days;
- frequency = orders; monetary = total spend, exact to the cent;
- scores: rank members ascending by (value, member id), score = 1 + floor(5 (rank - 1) / n);
  for recency the value is minus the days, so more recent scores higher;
- segment: the R-F grid documented in core/src/analytics/rfm.rs;
- value segment: R high if recency <= mean, F high if frequency >= mean, M high if
  monetary >= mean (means exact, as fractions).

Usage: python bench/rfm_pandas.py examples/data/CDNOW_master.txt > core/tests/golden/cdnow_rfm.csv
"""
import sys
from fractions import Fraction

import pandas as pd

GRID = {
    1: ["Lost", "Hibernating", "At Risk", "At Risk", "Can't Lose Them"],
    2: ["Hibernating", "Hibernating", "At Risk", "At Risk", "Can't Lose Them"],
    3: ["About To Sleep", "About To Sleep", "Need Attention", "Loyal Customers", "Loyal Customers"],
    4: ["Promising", "Potential Loyalist", "Potential Loyalist", "Loyal Customers", "Loyal Customers"],
    5: ["New Customers", "Potential Loyalist", "Potential Loyalist", "Champions", "Champions"],
}

VALUE = {
    (True, True, True): "important_value",
    (True, True, False): "important_development",
    (True, False, True): "important_retention",
    (True, False, False): "important_win_back",
    (False, True, True): "general_value",
    (False, True, False): "general_development",
    (False, False, True): "general_retention",
    (False, False, False): "general_win_back",
}


def main(path):
    df = pd.read_csv(path, sep=r"\s+", dtype={"customer_id": "int64", "date": "string", "dollar_value": "string"})
    df["day"] = pd.to_datetime(df["date"], format="%Y%m%d")
    # Exact cents: every value has two decimals.
    df["cents"] = df["dollar_value"].str.replace(".", "", regex=False).astype("int64")
    as_of = pd.Timestamp("1998-07-01")
    g = df.groupby("customer_id").agg(last=("day", "max"), frequency=("day", "size"), cents=("cents", "sum"))
    g["recency"] = (as_of - g["last"]).dt.days
    g = g.reset_index()
    n = len(g)

    def score(value_column):
        ranked = g.sort_values([value_column, "customer_id"]).reset_index(drop=True)
        ranked["rank"] = range(1, n + 1)
        ranked["score"] = 1 + (5 * (ranked["rank"] - 1)) // n
        return ranked.set_index("customer_id")["score"]

    g["neg_recency"] = -g["recency"]
    r = score("neg_recency")
    f = score("frequency")
    m = score("cents")
    mean_r = Fraction(int(g["recency"].sum()), n)
    mean_f = Fraction(int(g["frequency"].sum()), n)
    mean_m = Fraction(int(g["cents"].sum()), n)

    print("member_id,recency_days,frequency,monetary,r,f,m,segment,value_segment")
    for row in g.sort_values("customer_id").itertuples(index=False):
        cid = int(row.customer_id)
        rs, fs, ms = int(r[cid]), int(f[cid]), int(m[cid])
        value = VALUE[(Fraction(int(row.cents)) >= mean_m, int(row.recency) <= mean_r, int(row.frequency) >= mean_f)]
        money = f"{int(row.cents) // 100}.{int(row.cents) % 100:02d}"
        print(f"{cid},{int(row.recency)},{int(row.frequency)},{money},{rs},{fs},{ms},{GRID[rs][fs - 1]},{value}")


if __name__ == "__main__":
    main(sys.argv[1])
