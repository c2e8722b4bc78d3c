"""Validated catalogue and profile data as plain Python objects (issue 18, "Cost": start-up).

The catalogue and the province profile are *validated* by pydantic models (:mod:`cdht.schema`,
:mod:`cdht.profile_schema`), but a command that only *uses* a checked edition (a merge, a check)
need not import pydantic at all: what it reads are attributes. A :class:`Record` is the runtime
form of one validated model — its fields, in the model's order, as attributes — with the model
methods the product and its tests use (``model_dump``, ``model_copy``, equality). Every edition is
used as records, whether it was just validated (:func:`cdht.schema.plain`) or read from its
shipped snapshot (:func:`loads`), so the two paths cannot behave differently.
"""
from __future__ import annotations

import copy
import json
from typing import Any

TAG = "$"  # the key naming a record's model in a snapshot (never a key of the catalogue's own mappings)


class Record:
    """One validated mapping: ``model`` names its schema class; the fields are attributes."""

    __slots__ = ("_model", "__dict__")

    def __init__(self, model: str, fields: dict[str, Any]):
        self._model = model
        self.__dict__.update(fields)

    def model_dump(self, *, exclude_none: bool = False) -> dict[str, Any]:
        """As pydantic's ``model_dump``: nested records and lists as dicts and lists, a dict's
        values copied (``exclude_none`` drops a record's None fields, not a dict's None values)."""
        return {k: _dump(v, exclude_none) for k, v in self.__dict__.items() if not (exclude_none and v is None)}

    def model_copy(self, *, update: dict[str, Any] | None = None, deep: bool = False) -> Record:
        """As pydantic's ``model_copy``: a copy (nested values shared unless ``deep``), ``update``
        replacing fields unchecked."""
        fields = copy.deepcopy(self.__dict__) if deep else dict(self.__dict__)
        return Record(self._model, {**fields, **(update or {})})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Record) and other._model == self._model and other.__dict__ == self.__dict__

    __hash__ = None  # type: ignore[assignment]  # mutable, like a pydantic model

    def __repr__(self) -> str:
        return f"{self._model}({', '.join(f'{k}={v!r}' for k, v in self.__dict__.items())})"

    def __getstate__(self):
        return self._model, self.__dict__

    def __setstate__(self, state):
        self._model, fields = state
        self.__dict__.update(fields)


def _dump(v: Any, exclude_none: bool) -> Any:
    if isinstance(v, Record):
        return v.model_dump(exclude_none=exclude_none)
    if isinstance(v, list):
        return [_dump(x, exclude_none) for x in v]
    if isinstance(v, dict):
        return {k: _dump(x, exclude_none) for k, x in v.items()}
    return v


def _encode(v: Any) -> Any:
    if isinstance(v, Record):
        return {TAG: v._model, **{k: _encode(x) for k, x in v.__dict__.items()}}
    if isinstance(v, list):
        return [_encode(x) for x in v]
    if isinstance(v, dict):
        if TAG in v:
            raise ValueError(f"a mapping with the key {TAG!r} cannot be stored in a snapshot")
        return {k: _encode(x) for k, x in v.items()}
    return v


def dumps(v: Any) -> str:
    """JSON of plain data holding records (each a mapping tagged with its model)."""
    return json.dumps(_encode(v), ensure_ascii=False, indent=1, sort_keys=False) + "\n"


def _decode(d: dict) -> Any:
    model = d.pop(TAG, None)
    return d if model is None else Record(model, d)


def loads(text: str) -> Any:
    """The data :func:`dumps` wrote, records rebuilt."""
    return json.loads(text, object_hook=_decode)
