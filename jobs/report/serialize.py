"""Exact JSON for frozen report dataclasses: ``Decimal`` as strings, dates as ISO text.

``dump(obj)`` turns a tree of dataclasses, tuples, dicts, ``Decimal``, ``date``/``datetime`` and
plain values into JSON text; ``load(cls, text)`` rebuilds it from the type hints of ``cls``, so
``load(type(x), dump(x)) == x``. A string lands in a ``Decimal`` field as that exact Decimal,
an integer stays an ``int`` and a float a ``float`` (JSON keeps the difference).
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

T = TypeVar("T")


def to_plain(obj: Any) -> Any:
    """``obj`` as JSON-ready values (dicts, lists, strings, numbers, None)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, Decimal):
        return str(obj)
    if isinstance(obj, datetime | date):
        return obj.isoformat()
    if isinstance(obj, list | tuple):
        return [to_plain(v) for v in obj]
    if isinstance(obj, dict):
        return {str(to_plain(k)): to_plain(v) for k, v in obj.items()}
    if isinstance(obj, bool | int | float | str) or obj is None:
        return obj
    raise TypeError(f"cannot store {type(obj).__name__} in a report snapshot")


def dump(obj: Any) -> str:
    """Compact, deterministic JSON text of ``obj`` (same object, same text)."""
    return json.dumps(to_plain(obj), ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False)


def load(cls: type[T], text: str) -> T:
    """Rebuild a ``cls`` from ``dump`` output."""
    value: T = from_plain(cls, json.loads(text))
    return value


def _union(tp: Any, data: Any) -> Any:
    options = [a for a in typing.get_args(tp) if a is not type(None)]
    if data is None:
        return None
    for kind, test in ((Decimal, str), (float, float), (int, int), (bool, bool), (str, str)):
        if kind in options and isinstance(data, test) and not (
            test is int and isinstance(data, bool)
        ):
            return from_plain(kind, data)
    if options:
        return from_plain(options[0], data)
    raise TypeError(f"no type of {tp} fits {data!r}")


def from_plain(tp: Any, data: Any) -> Any:
    """Rebuild a value of type ``tp`` from ``to_plain`` output."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return _union(tp, data)
    if tp is Any or data is None:
        return data
    if origin is typing.Literal:
        return data
    if dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        kwargs = {f.name: from_plain(hints[f.name], data[f.name])
                  for f in dataclasses.fields(tp) if f.init and f.name in data}
        return tp(**kwargs)  # type: ignore[operator]
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(from_plain(args[0], v) for v in data)
        return tuple(from_plain(a, v) for a, v in zip(args, data, strict=True))
    if origin is list:
        (arg,) = typing.get_args(tp)
        return [from_plain(arg, v) for v in data]
    if origin in (dict, typing.Mapping) or tp is dict:
        key_t, val_t = typing.get_args(tp) or (str, Any)
        return {from_plain(key_t, k): from_plain(val_t, v) for k, v in data.items()}
    return _scalar(tp, data)


def _scalar(tp: Any, data: Any) -> Any:
    if tp is Decimal:
        return Decimal(data)
    if tp is datetime:
        return datetime.fromisoformat(data)
    if tp is date:
        return date.fromisoformat(data)
    if tp is float:
        return float(data)
    if tp in (int, str, bool):
        return tp(data)
    raise TypeError(f"cannot rebuild {tp!r} from a report snapshot")
