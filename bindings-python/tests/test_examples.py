"""The backend example under examples/python runs and checks its own responses."""
import pathlib
import runpy


def test_order_webhook_example_runs():
    path = pathlib.Path(__file__).resolve().parents[2] / "examples" / "python" / "order_webhook.py"
    runpy.run_path(str(path), run_name="__main__")


def test_a_concurrent_update_is_a_retry_and_stores_nothing():
    path = pathlib.Path(__file__).resolve().parents[2] / "examples" / "python" / "order_webhook.py"
    example = runpy.run_path(str(path))
    store = example["Store"]()
    body = ('{"event_id": "e-1", "member_id": "m-1", "order_id": "o-1", '
            '"paid_at": "2024-05-08T15:30:00Z", "total": "10.00"}')

    class Racing(example["Store"]):
        """Another delivery saves between this one's load and save."""

        def load(self, member_id):
            account, revision = store.load(member_id)
            store.rows[member_id] = ("{}", revision + 1)
            return account, revision

    racing = Racing()
    racing.rows = store.rows
    response = example["handle_order_webhook"](racing, body)
    assert response == {"status": 503, "body": {"error": "conflict, retry"}}
    assert store.rows["m-1"] == ("{}", 1)  # only the other delivery's row
