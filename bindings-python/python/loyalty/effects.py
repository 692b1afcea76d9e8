"""What the host should do or tell: effects and outcomes as readable objects."""
from __future__ import annotations

import dataclasses
from typing import Any, Dict, List

from ._convert import from_core


class Effect:
    """One effect. `kind` is its type (`points_earned`, `tier_upgraded`, ...); its fields are
    attributes, with instants as `datetime` and amounts as `Decimal`."""

    __slots__ = ("kind", "_fields")

    def __init__(self, data: Dict[str, Any]) -> None:
        data = dict(data)
        self.kind: str = data.pop("type")
        self._fields = from_core(data)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._fields[name]
        except KeyError:
            raise AttributeError(f"{self.kind} has no field {name!r}") from None

    def to_dict(self) -> Dict[str, Any]:
        """The effect as a dict, `type` included."""
        return {"type": self.kind, **self._fields}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Effect) and other.kind == self.kind and other._fields == self._fields

    def __repr__(self) -> str:
        name = "".join(part.capitalize() for part in self.kind.split("_"))
        fields = ", ".join(f"{k}={v!r}" for k, v in self._fields.items())
        return f"{name}({fields})"


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What applying an event did."""

    effects: List[Effect]
    duplicate: bool
    revision: int

    @staticmethod
    def from_core(data: Dict[str, Any]) -> "Outcome":
        return Outcome([Effect(e) for e in data["effects"]], bool(data["duplicate"]), int(data["revision"]))
