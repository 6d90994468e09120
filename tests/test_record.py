"""gradcli.record: the frozen records behave as frozen dataclasses do."""

from __future__ import annotations

import pytest

from gradcli.record import FrozenRecordError, fields, record, replace


@record
class Base:
    pos: int
    end: int


@record
class Leaf(Base):
    name: str
    order: int = 1
    tags: tuple[str, ...] = ()


@record(frozen=False)
class State:
    count: int = 0


def test_fields_base_first_with_defaults():
    leaf = Leaf(0, 3, "x")
    assert fields(Leaf) == ("pos", "end", "name", "order", "tags")
    assert (leaf.pos, leaf.end, leaf.name, leaf.order, leaf.tags) == (0, 3, "x", 1, ())
    assert Leaf(pos=1, end=2, name="y", order=4).order == 4
    with pytest.raises(TypeError):
        Leaf(0, 3)  # a field without a default is required


def test_equality_hash_repr():
    a, b = Leaf(0, 3, "x"), Leaf(0, 3, "x")
    assert a == b and hash(a) == hash(b) and a is not b
    assert a != Leaf(0, 3, "y") and a != Base(0, 3)
    assert len({a, b, Leaf(0, 3, "y")}) == 2
    assert repr(a) == "Leaf(pos=0, end=3, name='x', order=1, tags=())"


def test_frozen_and_replace():
    a = Leaf(0, 3, "x")
    with pytest.raises(FrozenRecordError):
        a.name = "y"
    with pytest.raises(AttributeError):
        del a.pos
    b = replace(a, end=5)
    assert (b.end, b.name, a.end) == (5, "x", 3) and type(b) is Leaf
    with pytest.raises(TypeError):
        replace(a, colour="red")


def test_mutable_records_are_unhashable():
    s = State()
    s.count += 1
    assert s == State(1)
    with pytest.raises(TypeError):
        hash(s)
