"""How a renderer finds the code for a result: printer-style dispatch, as SymPy's printers
find ``_print_<Class>``.

A format is a ``Renderer`` subclass; ``render(result)`` calls ``self._render_<Class>`` for the
first class in the result's MRO that has such a method, so a result type gets its own look
by adding one method per format (``_render_GradientResult``), and a family shares one where
it has no method of its own (``_render_MatrixResult``).
"""

from __future__ import annotations

from typing import Any


class Renderer:
    def __init__(self, *, rhs_only: bool = False):
        #: LaTeX: the result alone, without the left-hand side (``--rhs-only``)
        self.rhs_only = rhs_only

    def render(self, result: Any) -> Any:
        for klass in type(result).__mro__:
            method = getattr(self, f"_render_{klass.__name__}", None)
            if method is not None:
                return method(result)
        raise TypeError(f"{type(self).__name__} has no way to render a {type(result).__name__}")
