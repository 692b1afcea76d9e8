"""The Python surface against the core's JSON Schema (`schema/`, generated from the core's
types): every event kind the host may apply has its class in `loyalty.events` with the same
fields, and every effect kind its class in `loyalty.effects` with the same fields, so a new
kind or a renamed field in the core fails here until the binding has it."""
import dataclasses
import json
import keyword
import pathlib
import typing

from loyalty import effects, events

SCHEMA = pathlib.Path(__file__).resolve().parents[2] / "schema"
# Written only by `loyalty.transfer` (Account.apply refuses them): no event class.
ENGINE_ONLY = {"points_sent", "points_received"}


def variants(name):
    schema = json.loads((SCHEMA / f"{name}.schema.json").read_text())
    out = {}
    for v in schema["oneOf"]:
        kind = v["properties"]["type"]["const"]
        out[kind] = set(v["properties"]) - {"type"}
    return out


def test_every_event_kind_has_its_class_with_the_schemas_fields():
    classes = {c.type_name: c for c in vars(events).values()
               if isinstance(c, type) and issubclass(c, events._Event) and c.type_name}
    problems = []
    for kind, fields in variants("event").items():
        if kind in ENGINE_ONLY:
            assert kind not in classes
            continue
        cls = classes.get(kind)
        if cls is None:
            problems.append(f"{kind}: no class")
            continue
        mine = {f.name for f in dataclasses.fields(cls)} - {"id", "occurred_at"}
        if mine != fields:
            problems.append(f"{kind}: {sorted(mine)} but the schema has {sorted(fields)}")
    extra = set(classes) - set(variants("event"))
    assert problems == [] and extra == set(), (problems, extra)


def test_every_effect_kind_has_its_class_with_the_schemas_fields():
    classes = {c.KIND: c for c in vars(effects).values()
               if isinstance(c, type) and issubclass(c, effects.Effect) and c.KIND}
    problems = []
    for kind, fields in variants("effect").items():
        cls = classes.get(kind)
        if cls is None:
            problems.append(f"{kind}: no class")
            continue
        # A field named by a Python keyword (`from`) is read with getattr, not annotated.
        fields = {f for f in fields if not keyword.iskeyword(f)}
        hints = typing.get_type_hints(cls)
        mine = {n for n, t in hints.items() if not n.isupper() and typing.get_origin(t) is not typing.ClassVar
                and n not in ("kind", "_kinds", "KIND")}
        if mine != fields:
            problems.append(f"{kind}: {sorted(mine)} but the schema has {sorted(fields)}")
    extra = set(classes) - set(variants("effect"))
    assert problems == [] and extra == set(), (problems, extra)
