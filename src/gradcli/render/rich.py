"""Rich: a panel per result for a person at a terminal, maths in one-line Unicode.

Every piece of SymPy text goes in as ``rich.text.Text`` (never markup), so ``[x, y]`` is
shown, not parsed.  Every column folds (``overflow="fold"``) and the maths has spaces to
break at, so a narrow terminal wraps a result and never cuts it off with ``…``.  A panel
is key-value rows, then its tables, one blank line between sections; matrices are grids
labelled by variable (gradient rows, Hessian rows and columns) or by function and variable
(Jacobian); ``check`` is a panel like every other command, a claim per block.
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from rich import box
from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..model.layout import Layout
from .base import Renderer
from .differentials import differential_text, is_matrix_steps, note_unicode, read_off_text
from .display import difference_quotient, simplified_quotient, taylor_polynomial
from .numbers import decimal_text, point_value, with_decimal
from .printers import partial, pretty, step_var, unicode_operator
from .prose import UNICODE, counterexample_text, definition_at_point, note, rule_name
from .rich_trace import autodiff_parts
from .source import unicode_source
from .tensor import einsum, index_lhs, index_text, slices, vec_lhs


def T(s: str, style: str | None = None) -> Text:
    return Text(s, style=style or "")


def dims(shape: Any) -> str:
    """``2×3``, ``1×n``: a shape as a textbook writes it."""
    return "×".join(pretty(d) for d in shape)


def grid() -> Table:
    """Key-value rows: the key in bold cyan, the value folding onto more lines when long."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold cyan", overflow="fold")
    table.add_column(overflow="fold")
    return table


def table(*headers: str, title: str | None = None, right: tuple[int, ...] = ()) -> Table:
    """A table with a header rule and no outer box; every column folds."""
    t = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, title=title, title_justify="left",
              header_style="bold", title_style="bold")
    for i, h in enumerate(headers):
        t.add_column(h, overflow="fold", justify="right" if i in right else "left")
    return t


def panel(title: str, *parts: Any) -> Panel:
    """The parts one under another, a blank line between sections (none doubled)."""
    shown: list[Any] = []
    for part in parts:
        if part is None:
            continue
        if shown:
            shown.append(T(""))
        shown.append(part)
    return Panel(Group(*shown), title=T(title, "bold"), title_align="left", expand=False)


def value_text(v: Any, digits: int | None = None) -> str:
    """A value, with its decimal beside it when it is exact and not rational."""
    return with_decimal(v, digits, show=pretty)


def point_text(point: Any) -> str:
    pairs = [f"{pretty(k)} = {point_value(point, v, pretty)}" for k, v in point.values]
    pairs += [f"{name} = {pretty(sp.ImmutableMatrix(v))}" for name, v in getattr(point, "arrays", ())]
    return ", ".join(pairs)


def _matrix(m: Any, rows: list[str], cols: list[str], digits: int | None = None) -> Table:
    """A matrix as a grid, its rows and columns labelled."""
    t = table("", *cols)
    t.columns[0].style = "bold cyan"
    for i in range(m.rows):
        t.add_row(T(rows[i]), *(T(value_text(e, digits)) for e in m.row(i)))
    return t


def _sub(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


_MARKS = {"true": ("✓ true", "bold green"), "numeric": ("≈ true", "bold green"), "false": ("✗ false", "bold red"),
          "unknown": ("? unknown", "bold yellow"), "error": ("! error", "bold red")}


def _functions(r: Any) -> list[str]:
    trees = r.tree if isinstance(r.tree, tuple) else None
    fs = r.function if isinstance(r.function, tuple) else (r.function,)
    if trees is not None and len(trees) == len(fs):
        return [unicode_source(t, f) for t, f in zip(trees, fs)]
    if len(fs) == 1:
        return [unicode_source(r.tree, fs[0])]
    return [pretty(f) for f in fs]


def _matrix_steps(steps: Any) -> list[Any]:
    """The derivation by differentials: a numbered table of d(E) = dE, then the read-off."""
    t = table("#", "rule", "step", title="steps", right=(0,))
    t.columns[0].style = "dim"
    t.columns[1].style = "magenta"
    for i, (depth, step) in enumerate(steps.flat(), 1):
        said = f"  ({note_unicode(step.note)})" if step.note else ""
        t.add_row(T(str(i)), T("  " * depth + step.rule),
                  T(f"{differential_text(step.expression, pretty)} = {pretty(step.differential)}{said}"))
    return [t, T("read off: " + note_unicode(read_off_text(steps, pretty)), "yellow")]


class RichRenderer(Renderer):
    """Panels and tables with Unicode maths."""

    # -- gradient, hessian, jacobian -------------------------------------------------------------
    def _head(self, r: Any, labels: list[str] | None = None) -> Table:
        head = grid()
        functions = _functions(r)
        if labels and len(functions) > 1:
            for label, text in zip(labels, functions):
                head.add_row(T(label), T(text))
        else:
            head.add_row(T("f"), T(", ".join(functions)))
        head.add_row(T("with respect to"), T(", ".join(pretty(v) for v in r.wrt)))
        return head

    def _symbolic(self, r: Any) -> Any:
        body = grid()
        body.add_row(T("result"), T(pretty(r.result)))
        body.add_row(T("shape"), T(dims(r.result.shape)))
        body.add_row(T("layout"), T(str(r.layout)))
        steps = _matrix_steps(r.steps) if getattr(r, "steps", None) is not None else []
        return panel(r.command, self._head(r), *steps, body)

    def _render_MatrixResult(self, r: Any, rows: list[str] | None = None, cols: list[str] | None = None,
                             caption: str = "", head_labels: list[str] | None = None, more: Any = None) -> Any:
        """f and the variables, then the result as a labelled grid (and its value at the point)."""
        if r.symbolic:
            return self._symbolic(r)
        m = r.result
        rows = rows or [str(i + 1) for i in range(m.rows)]
        cols = cols or [str(j + 1) for j in range(m.cols)]
        at = None
        if r.point is not None:
            at = Group(T(f"at {point_text(r.point)}", "bold"), _matrix(r.value, rows, cols))
        return panel(r.command, self._head(r, head_labels), Group(_matrix(m, rows, cols), T(caption, "dim")), at, more)

    def _render_GradientResult(self, r: Any) -> Any:
        """A row per variable: the partial, and its value at the point."""
        if r.symbolic:
            return self._symbolic(r)
        t = table("", "partial derivative", *([f"at {point_text(r.point)}"] if r.point else []))
        t.columns[0].style = "bold cyan"
        for i, var in enumerate(r.wrt):
            cells = [T(_partial_label(var, r.function)), T(pretty(r.result[i]))]
            if r.point is not None:
                cells.append(T(value_text(r.value[i], r.point.digits)))
            t.add_row(*cells)
        vector = "row" if r.layout == Layout.NUMERATOR else "column"
        caption = T(f"{vector} vector, {dims(r.result.shape)} ({r.layout} layout)", "dim")
        return panel(r.command, self._head(r), Group(t, caption))

    def _render_HessianResult(self, r: Any) -> Any:
        names = [pretty(v) for v in r.wrt]
        caption = f"∂²f/∂xᵢ∂xⱼ, {dims(r.result.shape)}" if not r.symbolic else ""
        return self._render_MatrixResult(r, names, names, caption)

    def _render_JacobianResult(self, r: Any) -> Any:
        if r.symbolic:
            return self._render_MatrixResult(r)
        fs = [f"f{_sub(i + 1)}" for i in range(len(r.function))]
        ops = [f"∂/∂{pretty(v)}" for v in r.wrt]
        if r.layout == Layout.NUMERATOR:
            rows, cols, caption = fs, ops, f"{dims(r.result.shape)}: rows functions, columns variables"
        else:
            rows, cols, caption = ops, fs, f"{dims(r.result.shape)}: rows variables, columns functions"
        caption += f" ({r.layout} layout)"
        more = None
        if r.determinant is not None:
            more = grid()
            more.add_row(T("determinant"), T(pretty(r.determinant)))
            if r.point is not None:
                more.add_row(T(f"at {point_text(r.point)}"), T(value_text(r.determinant_value, r.point.digits)))
        return self._render_MatrixResult(r, rows, cols, caption, head_labels=fs, more=more)

    def _render_TensorResult(self, r: Any) -> Any:
        """f and the variable; the vec form, the index form and einsum; with numeric sizes
        the explicit array as a block layout of slices ∂F/∂X[i,j], each labelled."""
        head = grid()
        head.add_row(T("f"), T(unicode_source(r.tree, r.function) if getattr(r, "tree", None) else pretty(r.function)))
        head.add_row(T("with respect to"), T(pretty(r.wrt)))
        body = grid()
        body.add_row(T(vec_lhs(r, "unicode")), T(pretty(r.vec)))
        body.add_row(T(index_lhs(r, "unicode")), T(index_text(r.index, "unicode")))
        body.add_row(T("einsum"), T(einsum(r)))
        sizes = "×".join(pretty(s) for s in tuple(r.function.shape) + tuple(r.wrt.shape) if s != 1)
        body.add_row(T("order"), T(f"{r.order} ({sizes}); vec form: {r.layout} layout"))
        if r.point is not None:
            body.add_row(T("at"), T(point_text(r.point)))
        blocks = None
        shown = r.value if r.point is not None else r.array  # with --at: the values at the point
        if shown is not None:
            m, n = (int(v) for v in r.wrt.shape)
            blocks = Table.grid(padding=(0, 3))
            for _ in range(n):
                blocks.add_column()
            cells = []
            for label, mat in slices(r, shown):
                cells.append(Group(T(label, "bold"), _matrix(mat, [str(i + 1) for i in range(mat.rows)],
                                                             [str(j + 1) for j in range(mat.cols)])))
            for i in range(m):
                blocks.add_row(*cells[i * n:(i + 1) * n])
        return panel(r.command, head, body, blocks)

    # -- derivative ---------------------------------------------------------------------------
    def _render_DerivativeResult(self, r: Any) -> Any:
        head = grid()
        head.add_row(T("f"), T(unicode_source(r.tree, r.function)))
        head.add_row(T(unicode_operator(r.variables, r.function) + " f"), T(pretty(r.result)))
        if r.point is not None:
            head.add_row(T(f"at {point_text(r.point)}"), T(value_text(r.value, r.point.digits)))
        parts: list[Any] = [head]
        if r.steps is not None and is_matrix_steps(r.steps):
            parts.extend(_matrix_steps(r.steps))
        elif r.steps is not None:
            parts.append(self._steps(r))
        if r.definition is not None:
            parts.extend(self._definition(r.definition))
        return panel("derivative", *parts)

    def _steps(self, r: Any) -> Any:
        steps = table("#", "rule", "step", title="steps", right=(0,))
        steps.columns[0].style = "dim"
        steps.columns[1].style = "magenta"
        for i, (depth, step) in enumerate(r.steps.flat(), 1):
            var = step_var(r.steps, step)
            operator = unicode_operator([var], step.expression)
            equation = f"{operator} {_operand(step.expression)} = {pretty(step.result)}"
            cell = Text(equation)
            said = note(step.prose, UNICODE)
            if said and said != equation:
                cell.append("\n" + said, style="dim")
            steps.add_row(T(str(i)), T("  " * depth + rule_name(step.rule)), cell)
        if r.steps.prose:
            return Group(steps, T(note(r.steps.prose, UNICODE), "yellow"))
        return steps

    def _definition(self, d: Any) -> list[Any]:
        h = pretty(d.h)
        defn = grid()
        defn.add_row(T("difference quotient"), T(pretty(difference_quotient(d))))
        defn.add_row(T("simplified"), T(pretty(simplified_quotient(d))))
        defn.add_row(T(f"limit {h} → 0"), T(pretty(d.formula if d.formula is not None else d.limit)))
        parts: list[Any] = [defn]
        if d.secants:
            x0 = f"{pretty(d.var)} = {pretty(d.point)}"
            sec = table(h, f"(f(x₀ + {h}) - f(x₀))/{h}", f"(f(x₀ - {h}) - f(x₀))/(-{h})",
                        title=f"secant slopes at {x0}", right=(0, 1, 2))
            for row in d.secants:
                sec.add_row(*(T(decimal_text(v)) for v in (row.h, row.slope_right, row.slope_left)))
            parts.append(sec)
        lines = []
        at_point = definition_at_point(d)
        if at_point:
            lines.append(T(note(at_point, UNICODE), "bold"))
        lines.extend(T(note(n, UNICODE), "yellow") for n in d.notes)
        if lines:
            parts.append(Group(*lines))
        return parts

    # -- chain, taylor -----------------------------------------------------------------------
    def _render_ChainRuleResult(self, r: Any) -> Any:
        c = r.chain
        params = ", ".join(pretty(p) for p in c.parameters)
        xs = ", ".join(pretty(v) for v in c.variables)
        one = len(c.parameters) == 1
        head = grid()
        head.add_row(T("f"), T(unicode_source(r.tree, c.function)))
        for var, value in c.substitutions:
            head.add_row(T(pretty(var)), T(pretty(value)))
        body = grid()
        body.add_row(T(f"∂f/∂({xs})"), T(f"{pretty(c.df_dx)}   ({dims(c.df_dx.shape)})"))
        dt = f"d({xs})/d{params}" if one else f"∂({xs})/∂({params})"
        body.add_row(T(dt), T(f"{pretty(c.dx_dt)}   ({dims(c.dx_dt.shape)})"))
        body.add_row(T("product"), T(f"{pretty(c.product)}   ({dims(c.product.shape)})"))
        body.add_row(T(f"df/d{params}" if one else f"∂f/∂({params})"), T(pretty(c.result)))
        if r.point is not None:
            body.add_row(T(f"at {point_text(r.point)}"), T(value_text(r.value, r.point.digits)))
        return panel("chain rule", head, body)

    def _render_TaylorReport(self, r: Any) -> Any:
        t = r.taylor
        vs = ", ".join(pretty(v) for v in t.variables)
        head = grid()
        head.add_row(T("f"), T(unicode_source(r.tree, t.function)))
        head.add_row(T("about"), T(", ".join(f"{pretty(v)} = {pretty(c)}" for v, c in zip(t.variables, t.center))))
        head.add_row(T(f"T{_sub(t.order)}({vs})"), T(pretty(taylor_polynomial(t))))
        notes = []
        if len(t.variables) > 1:
            notes.append(T(f"truncated by total degree {t.order}", "dim"))
        if r.plot:
            notes.append(T(f"plot written to {r.plot}", "dim"))
        coefficients = None
        if r.table:
            single = len(t.variables) == 1
            if single:
                coefficients = table("k", "f⁽ᵏ⁾(x₀)", "f⁽ᵏ⁾(x₀)/k!", right=(0, 1, 2))
            else:
                coefficients = table("powers", "∂ᵅf(x₀)", "coefficient", right=(0, 1, 2))
            for term in t.terms:
                k = str(term.powers[0]) if single else "(" + ", ".join(map(str, term.powers)) + ")"
                coefficients.add_row(T(k), T(value_text(term.derivative)), T(value_text(term.coefficient)))
        return panel("taylor", Group(head, *notes), coefficients)

    # -- check ---------------------------------------------------------------------------------
    def _render_CheckReport(self, r: Any) -> Any:
        claims = Table.grid(padding=(0, 2))
        claims.add_column(no_wrap=True)
        claims.add_column(overflow="fold")
        for v in r.results:
            key = "numeric" if v.verdict == "true" and getattr(v, "evidence", "") == "numeric" else v.verdict
            mark, style = _MARKS[key]
            name = (v.name or "").strip()  # an unnumbered catalogue entry's name has no number
            cell = Text(f"({name}) " if name else "", style="bold")
            cell.append(_claim_text(v), style="bold")
            for line, dim in self._claim_details(v):
                cell.append("\n" + line, style="dim" if dim else "")
            claims.add_row(T(mark, style), cell)
        numeric = sum(1 for v in r.results if v.verdict == "true" and getattr(v, "evidence", "") == "numeric")
        counts = f"{r.count('true')} true" + (f" ({numeric} on numeric evidence)" if numeric else "")
        counts += f", {r.count('false')} false, {r.count('unknown')} unknown"
        if r.count("error"):
            counts += f", {r.count('error')} not read"
        return panel("check", claims, T(counts, "bold"))

    def _claim_details(self, v: Any) -> list[tuple[str, bool]]:
        lines: list[tuple[str, bool]] = []
        if v.method and v.method != "none":
            lines.append((v.method, True))
        if v.counterexample:
            lines.append((counterexample_text(v.counterexample), False))
        elif v.reason:
            lines.append((v.reason, False))
        if v.hint:
            lines.append((v.hint, False))
        if v.source and not v.source.endswith(":"):
            lines.append((v.source, True))
        return lines

    def _render_CatalogueListing(self, r: Any) -> Any:
        t = table("#", "name", "claim", right=(0,))
        for e in r.entries:
            t.add_row(T(str(e.number)), T(e.name), T(e.claim))
        return panel("check --builtin", t)

    # -- autodiff ------------------------------------------------------------------------------
    def _render_AutodiffResult(self, r: Any) -> Any:
        """The trace table, a table per forward sweep, the reverse sweep's table, the gradient."""
        head = grid()
        name = {v.name: pretty(v.symbol) for v in r.trace.variables}
        head.add_row(T(name[r.trace.output]), T(unicode_source(r.tree, r.function)))
        head.add_row(T("at"), T(point_text(r.point)))
        params = [name[v.name] for v in r.trace.variables if v.kind == "parameter"]
        head.add_row(T("inputs"), T(", ".join(name[x] for x in r.trace.inputs)
                                    + (f" (held constant: {', '.join(params)})" if params else "")))
        return panel("autodiff", head, *autodiff_parts(r, grid, table, value_text))


    def _render_CodegenResult(self, r: Any) -> Any:
        """The maths, the arguments in order, the source highlighted, and the check."""
        from rich.syntax import Syntax

        from .gradcheck import gradcheck_text

        head = grid()
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
        return panel(r.command, *parts)


def _partial_label(var: Any, function: Any) -> str:
    """∂f/∂x, or df/dx for a function of one variable."""
    d = "∂" if partial([var], function) else "d"
    return f"{d}f/{d}{pretty(var)}"


def _operand(expr: Any) -> str:
    """The expression an operator takes: ``(x² sin(x))`` for a product or sum, bare otherwise."""
    import sympy as sp

    text = pretty(expr)
    return f"({text})" if isinstance(expr, (sp.Add, sp.Mul)) else text


def _claim_text(v: Any) -> str:
    """The claim as written, in Unicode where its syntax tree was kept."""
    tree = getattr(v, "tree", None)
    if tree is not None:
        try:
            return unicode_source(tree, None)
        except Exception:  # noqa: BLE001 - display only: the text as typed instead
            return v.claim
    return v.claim

