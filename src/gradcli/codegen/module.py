"""The generated module: a docstring with the maths, the layout and every shape, the imports of
its one library, the helpers it calls, and ``f``, ``grad_f`` (and ``hess_f``), each checking
the shapes of its arguments, then computing its temporaries and returning its values."""

from __future__ import annotations

import re
import textwrap
from typing import Any

import sympy as sp

from .format import WIDTH, lines
from .lower import shaped, solves
from .names import Namer
from .printer import ArrayPrinter, CodegenError
from .problem import Argument, Module, Problem
from .stable import stabilize
from .statements import common, for_function
from .targets import HELPERS, IMPORTS, LIBRARIES, PRINTERS

FUNCTIONS = ("f", "grad_f", "hess_f")
_STAR = re.compile(r"(?<=[^\s*])\*(?=[^\s*])")
_SLASH = re.compile(r"(?<=\S)/(?=\S)")


def spaced(text: str) -> str:
    """``2*x/y`` as a person writes it: ``2 * x / y`` (``x**2`` stays)."""
    return _SLASH.sub(" / ", _STAR.sub(" * ", text))


def _sizes(arguments: tuple[Argument, ...], namer: Namer) -> list[tuple[Any, str]]:
    """The size symbols of the arguments' shapes, in order, with their names in the code."""
    out: list[tuple[Any, str]] = []
    for arg in arguments:
        for size in arg.shape:
            if isinstance(size, sp.Symbol) and all(size != s for s, _ in out):
                out.append((size, namer.fresh(size.name)))
    return out


def shape_text(arg_or_shape: Any, names: dict[Any, str]) -> str:
    """The shape of an array in the code: ``()``, ``(n,)``, ``(m, n)``."""
    shape = arg_or_shape.shape if isinstance(arg_or_shape, Argument) else arg_or_shape
    dims = [d for d in shape if d != 1] if shape and 1 in shape else list(shape)
    if shape and tuple(shape) == (1, 1):
        dims = []
    texts = [names.get(d, str(d)) for d in dims]
    if not texts:
        return "()"
    return f"({texts[0]},)" if len(texts) == 1 else f"({', '.join(texts)})"


def _outputs(problem: Problem) -> list[Any]:
    wrt = [a for a in problem.arguments if a.variable]
    if len(wrt) == 1 and wrt[0].shape:
        rows, cols = wrt[0].shape
        grad_shape = (cols, rows) if cols == 1 and problem.layout == "numerator" else (rows, cols)
        hess_shape = (max(rows, cols, key=lambda s: s != 1),) * 2
    else:
        grad_shape, hess_shape = (1, len(wrt)), (len(wrt), len(wrt))
    outputs = [problem.function, shaped(problem.gradient, grad_shape)]
    if problem.hessian is not None:
        outputs.append(shaped(problem.hessian, hess_shape))
    return [solves(stabilize(o)) for o in outputs]


def _check_sizes(outputs: list[Any], names: dict[Any, str]) -> None:
    for out in outputs:
        for sym in out.atoms(sp.Symbol) if isinstance(out, (sp.Basic, sp.MatrixBase)) else ():
            if sym.is_integer and sym not in names:
                raise CodegenError(f"the size {sym} is the size of no argument, so the code cannot know it",
                                   f"give it with --dim or --shape, or add an argument of size {sym}")


def generate(problem: Problem) -> Module:
    """The module's source for ``problem``."""
    args = problem.arguments
    namer = Namer(a.code for a in args)
    names: dict[Any, str] = {a.symbol: a.code for a in args}
    sizes = _sizes(args, namer)
    names.update(sizes)
    outputs = _outputs(problem)
    _check_sizes(outputs, names)
    statements, reduced = common(outputs)
    count = 3 if problem.hessian is not None else 2
    bodies = [for_function(statements, reduced[:k]) for k in range(1, count + 1)]
    order = {sym: i for i, (sym, _) in enumerate(statements)}
    used = sorted({sym for body, _ in bodies for sym, _ in body}, key=order.__getitem__)
    temps = namer.numbered("t")
    names.update({sym: next(temps) for sym in used})
    symmetric = frozenset(a.symbol.name for a in args if a.symmetric)
    printer = PRINTERS[problem.target](names, symmetric=symmetric, ref=args[0].code if args else "")
    defs = [_function(FUNCTIONS[k], k, problem, body, outs, printer, names) for k, (body, outs) in enumerate(bodies)]
    helpers = [HELPERS[problem.target][h] for h in sorted(printer.used) if h in HELPERS[problem.target]]
    printer.used.add(printer.lib)  # the module imports its library even where only @ and .T are used
    imports = tuple(line for name, line in IMPORTS[problem.target].items() if name in printer.used)
    docstring = _docstring(problem, names)
    body = "\n\n".join(helpers + defs)
    source = "\n".join([docstring, "", *imports, "", "", body])
    return Module(source=source, target=problem.target, arguments=args, functions=FUNCTIONS[:count],
                  sizes=tuple(sizes), imports=imports, body=body, docstring=docstring,
                  definitions=tuple(zip(FUNCTIONS, defs)), helpers=tuple(helpers))


def _function(name: str, k: int, problem: Problem, body: list, outputs: list[Any], printer: ArrayPrinter,
              names: dict[Any, str]) -> str:
    args = ", ".join(a.code for a in problem.arguments)
    width = problem.width
    out = lines(args, 0, prefix=f"def {name}(", suffix="):", width=width)
    out.extend(_docline(_function_doc(k, problem, names), width))
    out.extend(assertions(problem.arguments, names, printer, width))
    for sym, expr in body:
        out.extend(lines(spaced(printer.doprint(expr)), 4, prefix=f"{names[sym]} = ", width=width))
    values = ", ".join(spaced(_output(printer, o, i, problem)) for i, o in enumerate(outputs))
    out.extend(lines(values, 4, prefix="return ", width=width))
    return "\n".join(_prune(out, {names[s] for s in names if isinstance(s, sp.Symbol) and s.is_integer})) + "\n"


_STRING = re.compile(r'"[^"]*"')


def _prune(code: list[str], sizes: set[str]) -> list[str]:
    """Without the assignments of sizes nothing after them uses (a linter would flag them)."""
    out: list[str] = []
    for i, line in enumerate(code):
        name = line.strip().partition(" = ")[0]
        if name in sizes and line.startswith(f"    {name} = "):
            later = _STRING.sub('""', "\n".join(code[i + 1:]))
            if not re.search(rf"\b{re.escape(name)}\b", later):
                continue
        out.append(line)
    return out


def _output(printer: ArrayPrinter, value: Any, index: int, problem: Problem) -> str:
    """An output as the docstring says: by scalar variables the gradient is a 1-D array and the
    Hessian a 2-D one, even for one variable (a 1 x 1 matrix is otherwise a scalar)."""
    if index and isinstance(value, sp.MatrixBase) and not any(a.variable and a.shape for a in problem.arguments):
        rows = [[printer.entry(x) for x in value.row(i)] for i in range(value.rows)]
        if index == 1:
            return printer.array([x for row in rows for x in row])
        return printer.array([printer.row(row) for row in rows])
    return printer.doprint(value)


def _docline(text: str, width: int) -> list[str]:
    wrapped = textwrap.wrap(text, width - 10)
    if len(wrapped) == 1:
        return [f'    """{wrapped[0]}"""']
    return [f'    """{wrapped[0]}'] + [f"    {w}" for w in wrapped[1:]] + ['    """']


def _function_doc(k: int, problem: Problem, names: dict[Any, str]) -> str:
    wrt = [a for a in problem.arguments if a.variable]
    by = ", ".join(a.code for a in wrt)
    grad = _gradient_shape(problem, names)
    if k == 0:
        return "The value of f (a scalar)."
    if k == 1:
        return f"f and its gradient by {by}: (value, gradient), the gradient of shape {grad}."
    return (f"f, its gradient and its Hessian by {by}: (value, gradient, Hessian), of shapes (), {grad} "
            f"and {_hessian_shape(problem, names)}.")


def _gradient_shape(problem: Problem, names: dict[Any, str]) -> str:
    wrt = [a for a in problem.arguments if a.variable]
    if len(wrt) == 1 and wrt[0].shape:
        return shape_text(wrt[0], names)
    return f"({len(wrt)},)"


def _hessian_shape(problem: Problem, names: dict[Any, str]) -> str:
    inner = _gradient_shape(problem, names)[1:-2]
    return f"({inner}, {inner})"


def assertions(arguments: tuple[Argument, ...], names: dict[Any, str], printer: ArrayPrinter,
               width: int = WIDTH) -> list[str]:
    """Assertions on the shapes of the arguments; each size is read from its first array."""
    known: set[Any] = set()
    out: list[str] = []
    torch = printer.target == "torch"
    for arg in arguments:
        v = arg.code
        ndim = f"{v}.dim()" if torch else f"{printer.lib}.ndim({v})"
        shape = f"{v}.shape" if torch else f"{printer.lib}.shape({v})"
        dims = [d for d in arg.shape if d != 1] if arg.kind == "vector" else list(arg.shape)
        if arg.kind == "scalar":
            out.extend(lines(f"{ndim} == 0", 4, prefix="assert ", suffix=f', "{v} must be a scalar"', width=width))
            continue
        text = shape_text(arg, names)
        new = [(i, d) for i, d in enumerate(dims) if isinstance(d, sp.Symbol) and d not in known]
        if new:
            out.extend(lines(f"{ndim} == {len(dims)}", 4, prefix="assert ",
                             suffix=f', "{v} must be a {len(dims)}-D array {text}"', width=width))
            for i, d in new:
                if d not in known:
                    out.append(f"    {names[d]} = {shape}[{i}]")
                    known.add(d)
        if len(new) < len(dims) or len(set(dims)) < len(dims):
            out.extend(lines(f"{shape} == {text}", 4, prefix="assert ", suffix=f', "{v} must have shape {text}"',
                             width=width))
        if arg.symmetric and printer.target != "jax":
            out.extend(lines(f"{printer.lib}.allclose({v}, {v}.T)", 4, prefix="assert ",
                             suffix=f', "{v} must be symmetric"', width=width))
            printer.used.add(printer.lib)
    if not torch:
        printer.used.add(printer.lib)
    return out


def _escape(text: str) -> str:
    """Text for a docstring: backslashes doubled (LaTeX input), no closing quotes."""
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')


def _wrap(text: str, indent: str = "", first: str = "") -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=first or indent, subsequent_indent=indent + "    ",
                         break_on_hyphens=False) or [first.rstrip()]


def _brief(text: str, limit: int = 1500) -> str:
    return text if len(text) <= limit else text[:limit] + f" ... ({len(text):,} characters in all)"


def _docstring(problem: Problem, names: dict[Any, str]) -> str:
    args = ", ".join(a.code for a in problem.arguments)
    wrt = [a for a in problem.arguments if a.variable]
    by = ", ".join(a.code for a in wrt)
    what = "gradient and Hessian" if problem.hessian is not None else "gradient"
    out = _wrap(f"f({args}) and its {what} by {by}, in {LIBRARIES[problem.target]}.", first='"""')
    out += ["", "Written by gradcli:"] + _wrap(_escape(problem.command), "    ", "    ")
    out += ["", "Arguments, in this order (arrays of floats; 1-D for vectors):"]
    for arg in problem.arguments:
        out += _wrap(_escape(_argument_line(arg, names)), "    ", "    ")
    out += [""] + _wrap(_escape(_brief(f"f = {problem.function_text}")) + ", a scalar")
    out += _wrap(_escape(_brief(_gradient_line(problem, names))))
    if problem.hessian is not None:
        out += _wrap(_escape(_brief(f"Hessian by {by} = {problem.hessian_text}")) +
                     f", of shape {_hessian_shape(problem, names)}")
    if any(a.symmetric and a.variable for a in problem.arguments):
        out += [""] + _wrap(_symmetric_note([a for a in problem.arguments if a.symmetric and a.variable][0]))
    returns = "grad_f returns (value, gradient)"
    if problem.hessian is not None:
        returns += "; hess_f returns (value, gradient, Hessian)"
    out += ["", returns + "."]
    if problem.target == "jax":
        out += _wrap("JAX computes in float32 unless jax_enable_x64 is set.")
    if problem.target == "torch":
        out += _wrap("Arguments are tensors (a scalar as a 0-d tensor); new arrays take the dtype of "
                     f"{problem.arguments[0].code}.")
    return "\n".join(out + ['"""'])


def _argument_line(arg: Argument, names: dict[Any, str]) -> str:
    rename = f" (named {arg.name} in the expression)" if arg.code != arg.name else ""
    if arg.kind == "scalar":
        return f"{arg.code}: a scalar{rename}"
    rows, cols = (names.get(d, str(d)) for d in arg.shape)
    if arg.kind == "vector":
        return f"{arg.code}: a vector, {rows} x {cols}, as shape {shape_text(arg, names)}{rename}"
    kind_text = "a symmetric matrix" if arg.symmetric else "a matrix"
    return f"{arg.code}: {kind_text}, {rows} x {cols}, shape {shape_text(arg, names)}{rename}"


def _gradient_line(problem: Problem, names: dict[Any, str]) -> str:
    wrt = [a for a in problem.arguments if a.variable]
    by = ", ".join(a.code for a in wrt)
    shape = _gradient_shape(problem, names)
    head = f"gradient by {by} = {problem.gradient_text}"
    if len(wrt) == 1 and wrt[0].kind == "vector":
        n = shape[1:-2]
        if problem.layout == "numerator":
            return f"{head}: in numerator layout the 1 x {n} row, returned as shape {shape}"
        return f"{head}: in denominator layout the {n} x 1 column, returned as shape {shape}"
    if len(wrt) == 1 and wrt[0].kind == "matrix":
        return f"{head}: the shape of {by}, {shape}"
    return f"{head}: the partial derivatives in the order of the arguments, shape {shape}"


def _symmetric_note(arg: Argument) -> str:
    w = arg.code
    return (f"{w} is symmetric: the gradient by {w} is taken as if its entries were independent and is "
            f"evaluated at a symmetric {w} (gradcli's convention for symmetric matrices), so along a "
            f"symmetric change d{w} the change of f is sum(gradient * d{w}), and the derivative by the "
            f"pair {w}[i, j] = {w}[j, i] is gradient[i, j] + gradient[j, i].")
