"""Frozen records: what ``@dataclass(frozen=True)`` gives gradcli, for a tenth of the cost.

Every gradcli run builds about twenty record classes before it computes anything, and the
``dataclasses`` module spends about half a millisecond on each (six generated functions, six
compilations, much introspection): a tenth of the time budget a one-shot ``gradcli
derivative`` has over a bare SymPy script.  ``record`` compiles only ``__init__`` (one small
function per class, for fast construction) and shares closures for ``__eq__``, ``__hash__``,
``__repr__`` and the frozen ``__setattr__``.

Fields are the class's annotated names, base classes first, as with dataclasses; a default is
the class attribute of that name (immutable values only: there is no ``default_factory``).
``replace(obj, **changes)`` and ``fields(cls)`` do what their dataclasses namesakes do.

``TextEnum`` is the enum of gradcli's fixed words (layouts, verdicts): each member is the
string it names, so it compares, hashes, prints and goes to JSON as that string.
"""

from __future__ import annotations

import enum
from operator import attrgetter
from typing import Any, TypeVar

__all__ = ["record", "replace", "fields", "FrozenRecordError", "TextEnum"]

T = TypeVar("T")


class FrozenRecordError(AttributeError):
    """Assignment to a field of a frozen record."""


def _frozen_setattr(self: Any, name: str, value: Any) -> None:
    raise FrozenRecordError(f"cannot assign to field {name!r} of a frozen {type(self).__name__}")


def _frozen_delattr(self: Any, name: str) -> None:
    raise FrozenRecordError(f"cannot delete field {name!r} of a frozen {type(self).__name__}")


def _eq(key: Any) -> Any:
    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return key(self) == key(other)
        return NotImplemented

    return __eq__


def _hash(key: Any) -> Any:
    def __hash__(self: Any) -> int:
        return hash((self.__class__.__name__, key(self)))

    return __hash__


def _repr(names: list[str]) -> Any:
    def __repr__(self: Any) -> str:
        inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in names)
        return f"{type(self).__qualname__}({inner})"

    return __repr__


def _field_names(cls: type) -> tuple[list[str], dict[str, Any]]:
    names: list[str] = []
    defaults: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        annotations = klass.__dict__.get("__annotations__", {})
        for name, kind in annotations.items():
            if "ClassVar" in str(kind):
                continue
            if name not in names:
                names.append(name)
            if name in klass.__dict__:
                defaults[name] = klass.__dict__[name]
    return names, defaults


def record(cls: type[T] | None = None, *, frozen: bool = True) -> Any:
    """Class decorator: ``@record`` (frozen) or ``@record(frozen=False)``."""

    def wrap(klass: type[T]) -> type[T]:
        names, defaults = _field_names(klass)
        env: dict[str, Any] = {"_set": object.__setattr__}
        params = []
        for name in names:
            if name in defaults:
                env[f"_d_{name}"] = defaults[name]
                params.append(f"{name}=_d_{name}")
            else:
                params.append(name)
        assign = "_set" if frozen else "object.__setattr__"
        body = "".join(f"    {assign}(self, {n!r}, {n})\n" for n in names) or "    pass\n"
        source = f"def __init__(self, {', '.join(params)}):\n{body}"
        exec(compile(source, f"<record {klass.__qualname__}>", "exec"), env)  # noqa: S102 - our own source
        key = attrgetter(*names) if names else (lambda self: ())
        generated = {"__init__": env["__init__"], "__eq__": _eq(key), "__repr__": _repr(names)}
        for method, function in generated.items():
            if method not in klass.__dict__:
                setattr(klass, method, function)
        if frozen:
            klass.__hash__ = _hash(key)  # type: ignore[method-assign]
            klass.__setattr__ = _frozen_setattr  # type: ignore[method-assign,assignment]
            klass.__delattr__ = _frozen_delattr  # type: ignore[method-assign,assignment]
        else:
            klass.__hash__ = None  # type: ignore[assignment] - mutable: unhashable, as dataclasses
        klass.__record_fields__ = tuple(names)  # type: ignore[attr-defined]
        klass.__match_args__ = tuple(names)  # type: ignore[attr-defined]
        return klass

    return wrap(cls) if cls is not None else wrap


def fields(obj_or_cls: Any) -> tuple[str, ...]:
    """The field names, in order."""
    return obj_or_cls.__record_fields__


def replace(obj: T, **changes: Any) -> T:
    """A copy of ``obj`` with some fields changed."""
    values = {name: getattr(obj, name) for name in obj.__record_fields__}  # type: ignore[attr-defined]
    unknown = set(changes) - set(values)
    if unknown:
        raise TypeError(f"{type(obj).__name__} has no field {sorted(unknown)[0]!r}")
    values.update(changes)
    return type(obj)(**values)


class TextEnum(str, enum.Enum):
    """An enum whose members are the strings they name (``Layout.NUMERATOR == "numerator"``)."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)
