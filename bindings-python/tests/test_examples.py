"""The backend example under examples/python runs and checks its own responses."""
import pathlib
import runpy


def test_order_webhook_example_runs():
    path = pathlib.Path(__file__).resolve().parents[2] / "examples" / "python" / "order_webhook.py"
    runpy.run_path(str(path), run_name="__main__")
