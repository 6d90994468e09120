"""The layout conventions of derivatives by vectors (SPEC, "Shapes and layouts"): the one
place their names are written.  Light: the command line reads the names at start-up."""

from __future__ import annotations

from ..errors import InputError
from ..record import TextEnum


class Layout(TextEnum):
    """``numerator`` (the book's: the gradient of a scalar by x in R^n is a 1 x n row) or
    ``denominator`` (the Matrix Cookbook's: an n x 1 column).  A str, so it compares equal
    to its name and is written as its name (in JSON too)."""

    NUMERATOR = "numerator"
    DENOMINATOR = "denominator"

    @property
    def other(self) -> Layout:
        return Layout.DENOMINATOR if self is Layout.NUMERATOR else Layout.NUMERATOR


#: The names, in the order the command line offers them.
LAYOUTS = tuple(layout.value for layout in Layout)


def layout_of(name: str) -> Layout:
    """The layout named ``name``; InputError for any other name."""
    try:
        return Layout(name)
    except ValueError:
        raise InputError(f"unknown layout {name!r}: use numerator or denominator") from None
