"""An order webhook handler for a Python backend (Django, FastAPI, ...), end to end.

The shop's order service calls the handler with a JSON body. The handler loads the member's
account snapshot and revision from storage, applies the event, stores the new snapshot only if
the revision did not move meanwhile (optimistic concurrency), and returns what to tell the
member. Storage here is a dict standing in for a database table
`accounts(member_id primary key, snapshot text, revision int)`.

Run it: python examples/python/order_webhook.py
"""
from __future__ import annotations

import datetime as dt
import json
import pathlib
from decimal import Decimal, InvalidOperation
from typing import Any, Dict, Tuple

import loyalty
from loyalty import events

PROGRAM = loyalty.Program.from_file(pathlib.Path(__file__).resolve().parents[1] / "programs" / "retail.json")


class Conflict(Exception):
    """Someone else updated the account first: retry the webhook."""


class Store:
    def __init__(self) -> None:
        self.rows: Dict[str, Tuple[str, int]] = {}

    def load(self, member_id: str) -> Tuple[loyalty.Account, int]:
        row = self.rows.get(member_id)
        if row is None:
            return loyalty.Account(member_id), 0
        return loyalty.Account.from_json(row[0]), row[1]

    def save(self, account: loyalty.Account, expected_revision: int) -> None:
        current = self.rows.get(account.member_id, ("", 0))[1]
        if current != expected_revision:  # UPDATE ... WHERE revision = expected_revision
            raise Conflict(account.member_id)
        self.rows[account.member_id] = (account.to_json(), account.revision)


def handle_order_webhook(store: Store, body: str) -> Dict[str, Any]:
    """Returns an HTTP-ish response: status and a JSON-able body."""
    try:
        payload = json.loads(body)
        total = payload["total"]
        if not isinstance(total, str):
            # A JSON number would arrive as a binary float: money travels as decimal text.
            raise TypeError(f"total: {total!r} must be a decimal string such as \"19.99\"")
        event = events.OrderPlaced(
            id=payload["event_id"],
            # "Z" is spelled out for Python 3.9 and 3.10, whose fromisoformat does not read it.
            occurred_at=dt.datetime.fromisoformat(payload["paid_at"].replace("Z", "+00:00")),
            order_id=payload["order_id"],
            amount=Decimal(total),
            channel=payload.get("channel"),
        )
        account, revision = store.load(payload["member_id"])
        outcome = account.apply(PROGRAM, event)
    except loyalty.LoyaltyError as e:  # before ValueError: validation errors are both
        return {"status": 409 if isinstance(e, loyalty.IdConflict) else 422,
                "body": {"error": str(e), "kind": e.kind, "field": e.field}}
    except (KeyError, ValueError, TypeError, AttributeError, InvalidOperation) as e:
        return {"status": 400, "body": {"error": str(e) or type(e).__name__}}
    if not outcome.duplicate:
        try:
            store.save(account, revision)
        except Conflict:
            # Another delivery changed the account since it was loaded: nothing was stored;
            # the shop retries the webhook, which then applies to the new state.
            return {"status": 503, "body": {"error": "conflict, retry"}}
    messages = []
    for effect in outcome.effects:
        if effect.kind == "points_earned":
            when = "now" if not effect.pending else f"from {effect.available_at:%Y-%m-%d}"
            messages.append(f"You earned {effect.points} points, usable {when}.")
        elif effect.kind == "tier_upgraded":
            messages.append(f"Welcome to {effect.to}!")
    return {"status": 200, "body": {"duplicate": outcome.duplicate, "messages": messages}}


def main() -> None:
    store = Store()
    body = json.dumps({"event_id": "evt-9001", "member_id": "m-42", "order_id": "A-77",
                       "paid_at": "2024-05-08T15:30:00+00:00", "total": "300.00", "channel": "web"})
    first = handle_order_webhook(store, body)
    retry = handle_order_webhook(store, body)
    bad = handle_order_webhook(store, body.replace('"300.00"', '"-3"').replace("evt-9001", "evt-9002"))
    as_float = handle_order_webhook(store, body.replace('"300.00"', "300.1").replace("evt-9001", "evt-9003"))
    garbled = handle_order_webhook(store, body.replace('"300.00"', '"three"').replace("evt-9001", "evt-9004"))
    zulu = handle_order_webhook(store, body.replace("+00:00", "Z").replace("evt-9001", "evt-9005")
                                .replace("A-77", "A-78"))
    print(first)
    print(retry)
    print(bad)
    assert first["status"] == 200 and not first["body"]["duplicate"]
    assert retry["status"] == 200 and retry["body"]["duplicate"]
    assert bad["status"] == 422 and bad["body"]["field"] == "amount"
    assert as_float["status"] == 400 and "decimal string" in as_float["body"]["error"]
    assert garbled["status"] == 400
    assert zulu["status"] == 200 and store.rows["m-42"][1] == 2


if __name__ == "__main__":
    main()
