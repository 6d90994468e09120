"""Rich: tables and panels for a person at a terminal, maths in Unicode.

Every piece of SymPy text goes in as ``rich.text.Text`` (never markup), so
``[x, y]`` is shown, not parsed.
"""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..model.layout import Layout
from ..model.shapes import shape_text
from .base import Renderer
from .printers import (
    decimal_text,
    definition_at_point,
    differential_text,
    is_matrix_steps,
    plain,
    pretty,
    read_off_text,
    step_var,
    sweeps_text,
    unicode_operator,
    with_decimal,
)
from .tensor import einsum, index_lhs, index_text, slices, vec_lhs


def T(s: str, style: str | None = None) -> Text:
    return Text(s, style=style or "")


def _kv_table() -> Table:
    table = Table(box=box.SIMPLE, show_header=False, pad_edge=False)
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column()
    return table


def _matrix_head(r: Any) -> Table:
    head = _kv_table()
    fs = r.function if isinstance(r.function, tuple) else (r.function,)
    head.add_row(T("f"), T(", ".join(pretty(f) for f in fs)))
    head.add_row(T("with respect to"), T(", ".join(pretty(v) for v in r.wrt)))
    return head


def _symbolic_body(r: Any) -> Table:
    body = _kv_table()
    body.add_row(T("result"), T(pretty(r.result)))
    body.add_row(T("shape"), T(shape_text(r.result.shape)))
    body.add_row(T("layout"), T(r.layout))
    return body


def _grid(m: Any, title: str | None = None) -> Table:
    table = Table(box=box.SQUARE, show_header=False, title=title, title_justify="left")
    for _ in range(m.cols):
        table.add_column(justify="center")
    for i in range(m.rows):
        table.add_row(*(T(pretty(e)) for e in m.row(i)))
    return table


def _sub(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


_MARKS = {"true": ("✓ true", "bold green"), "false": ("✗ false", "bold red"), "unknown": ("? unknown", "bold yellow"),
          "error": ("! error", "bold red")}


def _fold(table: Table) -> Table:
    """Long words (decimals, products) fold onto the next line instead of ending in '…'."""
    for column in table.columns:
        column.overflow = "fold"
    return table


def _matrix_steps(steps: Any) -> list[Any]:
    """The derivation by differentials: a numbered table of d(E) = dE, then the read-off."""
    table = Table(box=box.SIMPLE_HEAD, title="steps", title_justify="left")
    table.add_column("#", justify="right", style="dim")
    table.add_column("rule", style="magenta")
    table.add_column("step")
    for i, (depth, step) in enumerate(steps.flat(), 1):
        note = f"  ({step.note})" if step.note else ""
        table.add_row(T(str(i)), T("  " * depth + step.rule),
                      T(f"{differential_text(step.expression, pretty)} = {pretty(step.differential)}{note}"))
    return [_fold(table), T("read off: " + read_off_text(steps, pretty), "yellow")]


class RichRenderer(Renderer):
    """Panels and tables with Unicode maths."""

    def _render_MatrixResult(self, r: Any, note: str = "", more: tuple[Any, ...] = ()) -> Any:
        """f, the variables, and the result: a matrix expression, or a grid (with its value
        at the point); the panel is titled with the command."""
        parts = [_matrix_head(r)]
        if r.steps is not None:
            parts.extend(_matrix_steps(r.steps))
        if r.symbolic:
            parts.append(_symbolic_body(r))
        else:
            parts.append(_grid(r.result))
            parts.append(T(shape_text(r.result.shape) + note, "dim"))
            if r.point is not None:
                parts.append(_grid(r.value, title=f"at {r.point.text}"))
        parts.extend(more)
        return self._panel(r, parts)

    def _panel(self, r: Any, parts: list[Any]) -> Any:
        return Panel(Group(*parts), title=T(r.command, "bold"), title_align="left", expand=False)

    def _render_GradientResult(self, r: Any) -> Any:
        """A row per variable: the partial, and its value at the point."""
        if r.symbolic:
            return self._render_MatrixResult(r)
        table = Table(box=box.SIMPLE_HEAD)
        table.add_column("∂f/∂xᵢ", style="cyan", no_wrap=True)
        table.add_column("expression")
        if r.point is not None:
            table.add_column(f"at {r.point.text}")
        for i, var in enumerate(r.wrt):
            cells = [T(f"∂f/∂{plain(var)}"), T(pretty(r.result[i]))]
            if r.point is not None:
                cells.append(T(pretty(r.value[i])))
            table.add_row(*cells)
        vector = "row" if r.layout == Layout.NUMERATOR else "column"
        note = T(f"{vector} vector, {shape_text(r.result.shape)} ({r.layout} layout)", "dim")
        return self._panel(r, [_matrix_head(r), table, note])

    def _render_JacobianResult(self, r: Any) -> Any:
        if r.layout == Layout.NUMERATOR:
            note = f", rows: functions, columns: variables ({r.layout} layout)"
        else:
            note = f" ({r.layout} layout)"
        more = []
        if r.determinant is not None:
            det = _kv_table()
            det.add_row(T("determinant"), T(pretty(r.determinant)))
            if r.point is not None:
                det.add_row(T(f"at {r.point.text}"), T(pretty(r.determinant_value)))
            more.append(det)
        return self._render_MatrixResult(r, note, tuple(more))

    def _render_TensorResult(self, r: Any) -> Any:
        """f and the variable; the vec form, the index form and einsum; with numeric sizes
        the explicit array as a block layout of slices ∂F/∂X[i,j], each labelled."""
        head = _kv_table()
        head.add_row(T("f"), T(pretty(r.function)))
        head.add_row(T("with respect to"), T(pretty(r.wrt)))
        body = _fold(_kv_table())
        body.add_row(T(vec_lhs(r, "unicode")), T(pretty(r.vec)))
        body.add_row(T(index_lhs(r, "unicode")), T(index_text(r.index, "unicode")))
        body.add_row(T("einsum"), T(einsum(r)))
        sizes = " x ".join(str(s) for s in tuple(r.function.shape) + tuple(r.wrt.shape) if s != 1)
        body.add_row(T("order"), T(f"{r.order} ({sizes}); vec form: {r.layout} layout"))
        parts: list[Any] = [head, body]
        if r.array is not None:
            m, n = (int(v) for v in r.wrt.shape)
            blocks = Table(box=box.SIMPLE, show_header=False, pad_edge=False)
            for _ in range(n):
                blocks.add_column()
            cells = [_grid(mat, title=label) for label, mat in slices(r)]
            for i in range(m):
                blocks.add_row(*cells[i * n:(i + 1) * n])
            parts.append(blocks)
        return self._panel(r, parts)

    def _render_DerivativeResult(self, r: Any) -> Any:
        table = _kv_table()
        table.add_row(T("f"), T(pretty(r.function)))
        table.add_row(T(unicode_operator(r.variables) + " f"), T(pretty(r.result)))
        if r.point is not None:
            table.add_row(T(f"at {r.point.text}"), T(pretty(r.value)))
        parts: list[Any] = [table]
        if r.steps is not None and is_matrix_steps(r.steps):
            parts.extend(_matrix_steps(r.steps))
        elif r.steps is not None:
            steps = Table(box=box.SIMPLE_HEAD, title="steps", title_justify="left")
            steps.add_column("#", justify="right", style="dim")
            steps.add_column("rule", style="magenta")
            steps.add_column("step")
            for i, (depth, step) in enumerate(r.steps.flat(), 1):
                note = f"  ({step.note})" if step.note else ""
                var = plain(step_var(r.steps, step))
                steps.add_row(
                    T(str(i)),
                    T("  " * depth + step.rule),
                    T(f"d/d{var} [{pretty(step.expression)}] = {pretty(step.result)}{note}"),
                )
            parts.append(steps)
            if r.steps.note:
                parts.append(T(r.steps.note, "yellow"))
        if r.definition is not None:
            d = r.definition
            h = plain(d.h)
            defn = _kv_table()
            defn.add_row(T("difference quotient"), T(pretty(d.quotient)))
            defn.add_row(T("simplified"), T(pretty(d.simplified)))
            defn.add_row(T(f"limit {h} → 0"), T(pretty(d.formula if d.formula is not None else d.limit)))
            parts.append(defn)
            if d.secants:
                x0 = f"{plain(d.var)} = {plain(d.point)}"
                sec = Table(box=box.SIMPLE_HEAD, title=f"secant slopes at {x0}", title_justify="left")
                sec.add_column(h, justify="right")
                sec.add_column(f"(f(x0+{h}) - f(x0))/{h}", justify="right")
                sec.add_column(f"(f(x0-{h}) - f(x0))/(-{h})", justify="right")
                for row in d.secants:
                    sec.add_row(*(T(decimal_text(v)) for v in (row.h, row.slope_right, row.slope_left)))
                parts.append(sec)
            at_point = definition_at_point(d)
            if at_point:
                parts.append(T(at_point, "bold"))
            if d.note:
                parts.append(T(d.note, "yellow"))
        return Panel(Group(*parts), title=T("derivative", "bold"), title_align="left", expand=False)

    def _render_ChainRuleResult(self, r: Any) -> Any:
        c = r.chain
        params = ", ".join(plain(p) for p in c.parameters)
        xs = ", ".join(plain(v) for v in c.variables)
        table = _kv_table()
        table.add_row(T("f"), T(pretty(c.function)))
        for var, value in c.substitutions:
            table.add_row(T(plain(var)), T(pretty(value)))
        table.add_row(T(f"∂f/∂({xs})  [{shape_text(c.df_dx.shape)}]"), T(pretty(c.df_dx)))
        table.add_row(T(f"∂({xs})/∂({params})  [{shape_text(c.dx_dt.shape)}]"), T(pretty(c.dx_dt)))
        table.add_row(T(f"product  [{shape_text(c.product.shape)}]"), T(pretty(c.product)))
        table.add_row(T(f"df/d({params})" if len(c.parameters) > 1 else f"df/d{params}"), T(pretty(c.result)))
        if r.point is not None:
            table.add_row(T(f"at {r.point.text}"), T(pretty(r.value)))
        return Panel(table, title=T("chain rule", "bold"), title_align="left", expand=False)

    def _render_TaylorReport(self, r: Any) -> Any:
        t = r.taylor
        vs = ", ".join(plain(v) for v in t.variables)
        center = ", ".join(f"{plain(v)} = {plain(c)}" for v, c in zip(t.variables, t.center))
        head = _kv_table()
        head.add_row(T("f"), T(pretty(t.function)))
        head.add_row(T("about"), T(center))
        head.add_row(T(f"T{_sub(t.order)}({vs})"), T(pretty(t.polynomial)))
        parts: list[Any] = [head]
        if len(t.variables) > 1:
            parts.append(T(f"truncated by total degree {t.order}", "dim"))
        if r.table:
            table = Table(box=box.SIMPLE_HEAD)
            single = len(t.variables) == 1
            table.add_column("k" if single else "powers", justify="right")
            table.add_column("f⁽ᵏ⁾(x₀)" if single else "∂ᵅf(x₀)", justify="right")
            table.add_column("f⁽ᵏ⁾(x₀)/k!" if single else "coefficient", justify="right")
            for term in t.terms:
                k = str(term.powers[0]) if single else "(" + ", ".join(map(str, term.powers)) + ")"
                table.add_row(T(k), T(plain(term.derivative)), T(plain(term.coefficient)))
            parts.append(table)
        if r.plot:
            parts.append(T(f"plot written to {r.plot}", "dim"))
        return Panel(Group(*parts), title=T("taylor", "bold"), title_align="left", expand=False)

    def _render_CheckReport(self, r: Any) -> Any:
        from .printers import counterexample_text

        table = Table(box=box.SIMPLE_HEAD, show_lines=False)
        table.add_column("claim")
        table.add_column("verdict", no_wrap=True)
        table.add_column("method")
        table.add_column("counterexample / reason")
        for v in r.results:
            mark, style = _MARKS[v.verdict]
            claim = f"({v.name}) {v.claim}" if v.name else v.claim
            detail = counterexample_text(v.counterexample) if v.counterexample else v.reason
            if v.hint:
                detail = f"{detail}\n{v.hint}" if detail else v.hint
            table.add_row(T(claim), T(mark, style), T(v.method), T(detail or ""))
        errors = f", {r.count('error')} not read" if r.count("error") else ""
        summary = T(f"{r.count('true')} true, {r.count('false')} false, {r.count('unknown')} unknown{errors}", "bold")
        return Group(table, summary)

    def _render_CatalogueListing(self, r: Any) -> Any:
        table = Table(box=box.SIMPLE_HEAD)
        table.add_column("#", justify="right")
        table.add_column("name")
        table.add_column("claim")
        for e in r.entries:
            table.add_row(T(str(e.number)), T(e.name), T(e.claim))
        return table

    def _render_AutodiffResult(self, r: Any) -> Any:
        """The trace table, a table per forward sweep, the reverse sweep's table, the gradient."""
        t = r.trace
        name = {v.name: pretty(v.symbol) for v in t.variables}
        name.update({x: x for x in t.sweeps if x not in name})  # entries of array inputs: x[1]
        out = name[t.output]

        def shown(value: Any) -> Text:
            return T(with_decimal(value, r.digits, show=pretty))

        head = _fold(_kv_table())
        head.add_row(T(out), T(pretty(r.function)))
        head.add_row(T("at"), T(r.point.text))
        params = [name[v.name] for v in t.variables if v.kind == "parameter"]
        head.add_row(T("inputs"), T(", ".join(name[x] for x in t.inputs)
                                    + (f" (held constant: {', '.join(params)})" if params else "")))
        parts: list[Any] = [head]

        trace = Table(box=box.SIMPLE_HEAD, title="evaluation trace", title_justify="left")
        trace.add_column("v", style="cyan", no_wrap=True, overflow="fold")
        trace.add_column("definition", overflow="fold")
        trace.add_column("value", overflow="fold")
        trace.add_column("local partials", overflow="fold")
        for v in t.variables:
            definition = {"input": "input", "parameter": "constant"}.get(v.kind) if v.definition is None \
                else f"{name[v.name]} = {pretty(v.definition)}"
            partials = "\n".join(
                f"∂{name[v.name]}/∂{name[p.parent]} = {pretty(p.formula)}"
                + ("" if p.formula.is_number else f" = {pretty(p.value)}")
                for p in v.partials)
            trace.add_row(T(name[v.name]), T(definition, "dim" if v.definition is None else None), shown(v.value),
                          T(partials))
        parts.append(trace)

        if t.forward:
            n = len(t.sweeps)
            for j, x in enumerate(t.sweeps):
                sweep = Table(box=box.SIMPLE_HEAD, title_justify="left",
                              title=f"forward mode, sweep {j + 1} of {n}: seed d{name[x]}/d{name[x]} = 1")
                sweep.add_column("tangent", style="cyan", no_wrap=True, overflow="fold")
                sweep.add_column("chain rule (sum over parents)", overflow="fold")
                sweep.add_column("value", overflow="fold")
                for v in t.variables:
                    rule = " + ".join(f"∂{name[v.name]}/∂{name[p]}⋅d{name[p]}/d{name[x]}" for p in v.parents) \
                        if v.definition is not None else "seed"
                    sweep.add_row(T(f"d{name[v.name]}/d{name[x]}"), T(rule or "0", "dim" if not v.parents else None),
                                  shown(v.tangents[j]))
                parts.append(sweep)
        if t.reverse:
            sweep = Table(box=box.SIMPLE_HEAD, title_justify="left",
                          title=f"reverse mode, 1 sweep for all inputs: seed ∂{out}/∂{out} = 1")
            sweep.add_column("adjoint", style="cyan", no_wrap=True, overflow="fold")
            sweep.add_column("chain rule (sum over children)", overflow="fold")
            sweep.add_column("value", overflow="fold")
            for v in reversed(t.variables):
                rule = "seed" if v.name == t.output else \
                    " + ".join(f"∂{out}/∂{name[c]}⋅∂{name[c]}/∂{name[v.name]}" for c in v.children) or "0"
                sweep.add_row(T(f"∂{out}/∂{name[v.name]}"), T(rule, "dim" if rule in ("seed", "0") else None),
                              shown(v.adjoint))
            parts.append(sweep)
        grad = _fold(_kv_table())
        if isinstance(r.value, tuple):  # vector and matrix inputs: a gradient each, of its shape
            for x, g in zip(t.inputs, r.value):
                grad.add_row(T(f"∇_{name[x]} {out}"), T(pretty(g)))
        else:
            grad.add_row(T(f"∇{out}"), T(pretty(r.value)))
        grad.add_row(T(""), T(sweeps_text(t), "dim"))
        parts.append(grad)
        return Panel(Group(*parts), title=T("autodiff", "bold"), title_align="left", expand=False)

    def _render_CodegenResult(self, r: Any) -> Any:
        """The maths, the arguments in order, the source highlighted, and the check."""
        from rich.syntax import Syntax

        from .printers import gradcheck_text

        head = _fold(_kv_table())
        head.add_row(T("f"), T(pretty(r.function)))
        head.add_row(T("gradient"), T(pretty(r.result)))
        if r.hessian is not None:
            head.add_row(T("Hessian"), T(pretty(r.hessian)))
        head.add_row(T("arguments"), T(", ".join(a.code for a in r.module.arguments)))
        head.add_row(T("target"), T(r.target))
        for label, path in (("written to", r.output), ("pytest file", r.test)):
            if path:
                head.add_row(T(label), T(path))
        parts: list[Any] = [head, Syntax(r.module.source, "python", theme="ansi_dark", word_wrap=True)]
        if r.gradcheck is not None:
            parts.append(T(gradcheck_text(r.gradcheck), "bold green" if r.gradcheck.passed else "bold red"))
        return self._panel(r, parts)
