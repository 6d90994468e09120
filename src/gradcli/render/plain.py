"""Plain text: one line per result, in SymPy's string form (pipes, scripts)."""

from __future__ import annotations

from typing import Any

from .base import Renderer
from .differentials import differential_text, is_matrix_steps, read_off_text
from .display import difference_quotient, simplified_quotient, taylor_polynomial
from .numbers import decimal_text, with_decimal
from .printers import plain, step_var, unicode_operator
from .prose import ASCII, counterexample_text, definition_at_point, note, sweeps_text
from .tensor import index_lhs, index_text


def _value_or_result(r: Any) -> str:
    return plain(r.value) if r.point is not None else plain(r.result)


def _written_equation(operator: str, step: Any) -> str:
    """A step's equation as its note would state it (d/dx sin(x) = cos(x)): then the note
    says nothing new."""
    from .printers import written

    inner = written(step.expression)
    inner = inner if step.expression.is_Atom or step.expression.is_Pow or step.expression.is_Function \
        else f"({inner})"
    return f"{operator} {inner} = {written(step.result)}"


def _paren(e: Any) -> str:
    text = plain(e)
    return text if text.isidentifier() else f"({text})"


def _partial(v: Any, p: Any) -> str:
    text = f"∂{v.name}/∂{p.parent} = {plain(p.formula)}"
    return text if p.formula.is_number else f"{text} = {plain(p.value)}"


def _matrix_steps(steps: Any) -> list[str]:
    """A line a step: ``rule: d(E) = dE (the rule)``, indented under the step that uses it;
    then how the derivative is read off."""
    lines = []
    for depth, step in steps.flat():
        note = f" ({step.note})" if step.note else ""
        lines.append(f"{'  ' * depth}{step.rule}: {differential_text(step.expression)} = "
                     f"{plain(step.differential)}{note}")
    lines.append(f"read off: {read_off_text(steps)}")
    return lines


class PlainRenderer(Renderer):
    """One line per result, in SymPy's string form."""

    def _render_MatrixResult(self, r: Any) -> str:
        steps = _matrix_steps(r.steps) if r.steps is not None else []
        return "\n".join([*steps, plain(r.value if r.point is not None else r.result, vector_as_list=False)])

    def _render_GradientResult(self, r: Any) -> str:
        steps = _matrix_steps(r.steps) if r.steps is not None else []
        return "\n".join([*steps, plain(r.value if r.point is not None else r.result, vector_as_list=True)])

    def _render_JacobianResult(self, r: Any) -> str:
        lines = [self._render_MatrixResult(r)]
        if r.determinant is not None:
            lines.append(plain(r.determinant_value if r.point is not None else r.determinant))
        return "\n".join(lines)

    def _render_DerivativeResult(self, r: Any) -> str:
        """With --steps: a step a line (indented by depth), its rule as maths in brackets; with
        --definition: the quotient, its limit, the secant slopes and the notes; then the result."""
        lines: list[str] = []
        if r.steps is not None and is_matrix_steps(r.steps):
            lines.extend(_matrix_steps(r.steps))
        elif r.steps is not None:
            if r.steps.prose:
                lines.append(note(r.steps.prose, ASCII))
            for depth, step in r.steps.flat():
                operator = unicode_operator([step_var(r.steps, step)], step.expression, ascii=True)
                equation = f"{operator} {_paren(step.expression)} = {plain(step.result)}"
                said = note(step.prose, ASCII)
                rule = f"  ({said})" if said and said != _written_equation(operator, step) else ""
                lines.append(f"{'  ' * depth}{step.rule}: {equation}{rule}")
        if r.definition is not None:
            lines.extend(self._definition(r.definition))
            if r.definition.point is not None and r.definition.value_at_point is None:
                return "\n".join(lines)
        lines.append(_value_or_result(r))
        return "\n".join(lines)

    def _definition(self, d: Any) -> list[str]:
        h = plain(d.h)
        lines = [
            f"difference quotient: {plain(difference_quotient(d))}",
            f"simplified: {plain(simplified_quotient(d))}",
            f"limit {h} -> 0: {plain(d.formula if d.formula is not None else d.limit)}",
        ]
        if d.secants:
            lines.append(f"secant slopes at {plain(d.var)} = {plain(d.point)} ({h}, right, left):")
        for row in d.secants:
            lines.append(f"{decimal_text(row.h)}\t{decimal_text(row.slope_right)}\t{decimal_text(row.slope_left)}")
        at_point = definition_at_point(d)
        if at_point:
            lines.append(note(at_point, ASCII))
        lines.extend(note(n, ASCII) for n in d.notes)
        return lines

    def _render_TensorResult(self, r: Any) -> str:
        """The vec form; the index form; the explicit array when the sizes are numbers (with
        --at: its value at the point)."""
        lines = [plain(r.vec), f"{index_lhs(r, 'plain')} = {index_text(r.index, 'plain')}"]
        if r.point is not None:
            lines.append(plain(r.value.entries))
        elif r.array is not None:
            lines.append(plain(r.array.entries))
        return "\n".join(lines)

    def _render_ChainRuleResult(self, r: Any) -> str:
        return plain(r.value) if r.point is not None else plain(r.chain.result)

    def _render_TaylorReport(self, r: Any) -> str:
        t = r.taylor
        lines = []
        if r.table:
            for term in t.terms:
                k = term.powers[0] if len(term.powers) == 1 else ",".join(map(str, term.powers))
                lines.append(f"{k}\t{plain(term.derivative)}\t{plain(term.coefficient)}")
        lines.append(plain(taylor_polynomial(t)))
        return "\n".join(lines)

    def _render_CheckReport(self, r: Any) -> str:
        lines = []
        for v in r.results:
            line = f"{v.verdict}: {v.claim}"
            if v.verdict == "true" and getattr(v, "evidence", "") == "numeric":
                line = f"true (numeric): {v.claim}  -- {v.method}"  # evidence, not a proof
            elif v.verdict == "false" and v.counterexample:
                line += f"  -- {counterexample_text(v.counterexample)}"
                if getattr(v, "hint", None):
                    line += f"; {v.hint}"
            elif v.verdict in ("unknown", "error") and v.reason:
                line += f"  -- {v.reason}"
            lines.append(line)
        return "\n".join(lines)

    def _render_CatalogueListing(self, r: Any) -> str:
        return "\n".join(f"{e.number}\t{e.name}\t{e.claim}" for e in r.entries)

    def _render_AutodiffResult(self, r: Any) -> str:
        """One line a variable: its equation and value, the local partials used, its tangent in
        each forward sweep (dv/dx) and its adjoint (∂f/∂v); then the sweeps and the gradient."""
        t = r.trace
        lines = []
        for v in t.variables:
            fields = [f"{v.name} = {with_decimal(v.value, r.digits)}" if v.definition is None
                      else f"{v.name} = {plain(v.definition)} = {with_decimal(v.value, r.digits)}"]
            if v.kind == "parameter":
                fields[0] += " (held constant)"
            if v.partials:
                fields.append(", ".join(_partial(v, p) for p in v.partials))
            if v.tangents is not None:
                fields.extend(f"d{v.name}/d{x} = {with_decimal(d, r.digits)}" for x, d in zip(t.sweeps, v.tangents))
            if v.adjoint is not None:
                fields.append(f"∂{t.output}/∂{v.name} = {with_decimal(v.adjoint, r.digits)}")
            lines.append("; ".join(fields))
        lines.append(sweeps_text(t) + "; the gradient:")
        lines.append(plain(r.value, vector_as_list=True))
        return "\n".join(lines)

    def _render_CodegenResult(self, r: Any) -> str:
        """The module's source (unless it went to -o FILE), then the check: a comment after the
        source, so that standard output stays a Python module."""
        from .gradcheck import gradcheck_text

        lines = [] if r.output else [r.module.source.rstrip("\n")]
        if r.gradcheck is not None:
            lines.append(("# " if lines else "") + gradcheck_text(r.gradcheck))
        return "\n".join(lines)
