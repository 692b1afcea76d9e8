#!/usr/bin/env python3
"""RFM on Spark in local[2]: orders generated inside Spark, spread by member, scored by loyalty.spark.rfm.
Usage: python bench/spark_rfm.py ORDERS MEMBERS (PySpark and loyalty installed; Java on the PATH)."""
import datetime as dt, os, sys, time
os.environ["PYSPARK_PYTHON"] = sys.executable
from pyspark.sql import SparkSession, functions as F
import loyalty.spark as ls
from loyalty import analytics
n = int(sys.argv[1]); members = int(sys.argv[2])
spark = (SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
         .config("spark.sql.shuffle.partitions", "4").config("spark.sql.session.timeZone", "UTC")
         .config("spark.driver.memory", "4g").getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
df = (spark.range(n).select(F.pmod(F.hash("id"), F.lit(members)).cast("long").alias("member_id"),
      (F.lit(1672531200) + (F.abs(F.hash("id", F.lit(1))) % (500 * 86400))).cast("timestamp").alias("ordered_at"),
      (F.lit(100) + F.abs(F.hash("id", F.lit(2))) % 49900).cast("long").alias("amount_minor")))
df = df.repartition(4, "member_id").cache(); df.count()
as_of = dt.datetime(2024, 6, 1, tzinfo=dt.timezone.utc)
t0 = time.time()
rows = ls.rfm(df, as_of=as_of, amount_minor="amount_minor", partitions=4).count()
spark_s = time.time() - t0

print(f"spark local[2]: {n} orders, {rows} members: {spark_s:.1f} s, {n/spark_s/2:,.0f} orders/s per core")
