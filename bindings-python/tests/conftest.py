import datetime as dt
import pathlib

import pytest

import loyalty

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture
def retail() -> loyalty.Program:
    return loyalty.Program.from_file(ROOT / "examples" / "programs" / "retail.json")


@pytest.fixture
def simple() -> loyalty.Program:
    return loyalty.Program.from_dict(
        {
            "name": "Shop",
            "version": 1,
            "currency": "USD",
            "time_zone": "UTC",
            "earning": {"rules": [{"name": "base", "points_per_unit": "1"}]},
            "redemption": {"point_value": "0.01"},
        }
    )


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.timezone.utc)


@pytest.fixture
def in_place(monkeypatch):
    """Call it to make any copy of columns into bytes fail the test: what follows must read
    the frame in place through the Arrow stream."""
    import loyalty.analytics

    def enable():
        def copied(*args, **kwargs):
            raise AssertionError("the columns were copied instead of read in place")

        monkeypatch.setattr(loyalty.analytics, "_batch_bytes", copied)
        monkeypatch.setattr(loyalty.analytics, "_prepared", copied)

    return enable
