"""Claims for ``check``: where they come from and under which declarations.

A claim is one line ``LHS = RHS`` with its declarations, layout, an optional
name and its source (``claims.txt:3``).  Claims come from

* the command line's arguments, ``-`` among them meaning standard input
  (one claim a line);
* ``.txt`` files: one claim a line, blank lines and ``#`` comments skipped,
  under the command line's declarations and layout;
* ``.toml`` files: ``[[claim]]`` tables with ``claim`` and optional ``name``,
  ``vector``, ``matrix``, ``symmetric`` (a comma string or a list),
  ``shape`` (``"X=3x2"``, a list of them, or a table ``{X = "3x2"}``),
  ``dim`` and ``layout``.  A table's declarations are added to the command
  line's; its layout replaces the command line's.

Every claim is parsed when read (cheap: no SymPy).  A claim that cannot be read -- a line
that does not parse or has no ``=``, a [[claim]] table with a bad key or declaration --
is kept with its ``error`` (the message, naming nothing but the problem; ``source`` names
the file and line): ``check`` reports it as an error for that claim alone and still decides
the others (exit status 2).  A file that cannot be read at all -- missing, not UTF-8, not
valid TOML, without [[claim]] tables -- is an InputError before any claim is decided.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import IO, Any

from ..errors import InputError, ParseError
from ..io import read_bounded, read_file_bounded
from ..model.declarations import Declarations
from ..model.layout import LAYOUTS, Layout
from ..record import record

TOML_KEYS = {"claim", "name", "vector", "matrix", "symmetric", "shape", "dim", "layout"}


@record
class Claim:
    """One claim to decide."""

    text: str
    decl: Declarations = Declarations()
    layout: str = Layout.NUMERATOR
    name: str | None = None
    source: str = ""  # "claims.txt:3", "<stdin>:2", "" for a command-line argument
    #: catalogue only: an entrywise tensor identity (number, f(X)) instead of ``text``
    tensor: tuple[str, str] | None = None
    #: catalogue only: the book's equation number
    number: str | None = None
    #: the claim is LaTeX (``--input latex``; text starting with a backslash is LaTeX anyway)
    latex: bool = False
    #: why the claim cannot be read ("" when it can): reported for this claim, not decided
    error: str = ""


def error_text(exc: InputError) -> str:
    """An InputError as one line: the message, the position of a syntax error, the hint."""
    text = exc.message
    if isinstance(exc, ParseError):
        text += f" (at position {exc.pos + 1})"
    if exc.hint:
        text += f"; {exc.hint}"
    return text


def _reraise(exc: InputError, source: str) -> InputError:
    if isinstance(exc, ParseError):
        return ParseError(f"{source}: {exc.message}", exc.source, exc.pos, exc.hint)
    return type(exc)(f"{source}: {exc.message}", exc.hint)


def validate(text: str, source: str = "", *, latex: bool = False) -> None:
    """Parse the claim (no SymPy): raise InputError naming ``source`` when it does not
    parse or is not an equation."""
    try:
        _parse_equation(text, latex)
    except InputError as exc:
        if source:
            raise _reraise(exc, source) from None
        raise


def _parse_equation(text: str, latex: bool) -> None:
    from ..language import ast as S
    from ..language import parse_claim

    node = parse_claim(text, latex=latex)
    if not isinstance(node, S.Equation):
        raise InputError(f"not a claim: {_short(text)!r} has no '='", "write LHS = RHS, e.g. 'd/dx sin(x) = cos(x)'")


def _readable(text: str, decl: Declarations, layout: str, name: str | None, source: str, latex: bool) -> Claim:
    """The claim, or the claim with its ``error`` when it cannot be read."""
    try:
        _parse_equation(text, latex)
    except InputError as exc:
        return Claim(text, decl, layout, name, source, latex=latex, error=error_text(exc))
    return Claim(text, decl, layout, name, source, latex=latex)


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _lines(lines: Iterable[str], source: str, decl: Declarations, layout: str, latex: bool = False) -> list[Claim]:
    claims = []
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        claims.append(_readable(line, decl, layout, None, f"{source}:{number}", latex))
    return claims


def read_lines(stream: IO[str] | str, decl: Declarations = Declarations(), layout: str = Layout.NUMERATOR,
               source: str = "<stdin>", *, latex: bool = False) -> list[Claim]:
    """One claim a line from a stream (standard input) or a string already read;
    blank lines and # comments skipped."""
    if isinstance(stream, str):
        return _lines(stream.splitlines(), source, decl, layout, latex)
    lines = read_bounded(stream, source).splitlines()
    return _lines(lines, source, decl, layout, latex)


def read_txt(path: str, decl: Declarations = Declarations(), layout: str = Layout.NUMERATOR, *,
             latex: bool = False) -> list[Claim]:
    """A text file: one claim a line under the given declarations."""
    return _lines(read_file_bounded(path).splitlines(), path, decl, layout, latex)


def _toml_module() -> Any:
    try:
        import tomllib  # Python 3.11+

        return tomllib
    except ModuleNotFoundError:  # pragma: no cover - Python 3.10
        try:
            import tomli

            return tomli
        except ModuleNotFoundError:
            raise InputError("reading .toml claims needs Python 3.11 or the 'tomli' package") from None


def _names(value: Any, key: str, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        items = value.split(",")
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        items = [piece for v in value for piece in v.split(",")]
    else:
        raise InputError(f"{where}: '{key}' must be a comma separated string or a list of names")
    out = []
    for item in items:
        name = item.strip()
        if not name:
            continue
        if not name.replace("_", "a").isalnum() or not name[0].isalpha():
            raise InputError(f"{where}: '{key}': {name!r} is not a name")
        out.append(name)
    return tuple(out)


def _shapes(value: Any, where: str) -> tuple[tuple[str, str], ...]:
    if isinstance(value, dict):
        pairs = []
        for k, v in value.items():
            if not isinstance(v, str):
                raise InputError(f"{where}: 'shape': write {k} = \"3x2\"")
            pairs.append((k, v))
        return tuple(pairs)
    specs = [value] if isinstance(value, str) else value
    if not isinstance(specs, list) or not all(isinstance(s, str) for s in specs):
        raise InputError(f"{where}: 'shape' must be \"X=3x2\", a list of them, or a table {{X = \"3x2\"}}")
    out = []
    for spec in specs:
        for piece in spec.split(",") if spec.count("=") > 1 else [spec]:
            if "=" not in piece:
                raise InputError(f"{where}: 'shape' {piece!r}: write NAME=ROWSxCOLS, e.g. X=3x2")
            name, _, dims = piece.partition("=")
            out.append((name.strip(), dims.strip()))
    return tuple(out)


def _table_lines(text: str) -> list[int]:
    """Line numbers of each [[claim]] table's 'claim =' key (or its header)."""
    import re

    headers: list[int] = []
    keys: dict[int, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if re.match(r"\[\[\s*claim\s*\]\]", stripped):
            headers.append(number)
        elif headers and re.match(r"claim\s*=", stripped) and len(headers) - 1 not in keys:
            keys[len(headers) - 1] = number
    return [keys.get(i, h) for i, h in enumerate(headers)]


def read_toml(path: str, decl: Declarations = Declarations(), layout: str = Layout.NUMERATOR, *,
              latex: bool = False) -> list[Claim]:
    """A TOML file of [[claim]] tables."""
    text = read_file_bounded(path)
    toml = _toml_module()
    try:
        data = toml.loads(text)
    except toml.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML: {exc}") from None
    tables = data.get("claim")
    extra = set(data) - {"claim"}
    if extra:
        raise InputError(f"{path}: unknown top-level key {sorted(extra)[0]!r}",
                         "a claims file holds [[claim]] tables only")
    if tables is None:
        raise InputError(f"{path}: no [[claim]] tables", "write [[claim]] then claim = \"d/dx sin(x) = cos(x)\"")
    if not isinstance(tables, list):
        raise InputError(f"{path}: 'claim' must be an array of tables: write [[claim]]")
    lines = _table_lines(text)
    claims = []
    for index, table in enumerate(tables):
        line = lines[index] if index < len(lines) else None
        where = f"{path}:{line}" if line else f"{path}: claim {index + 1}"
        try:
            claims.append(_table(table, where, decl, layout, latex))
        except InputError as exc:
            text_claim = table.get("claim") if isinstance(table, dict) else None
            written = isinstance(text_claim, str) and text_claim.strip()
            shown = text_claim.strip() if written else f"[[claim]] {index + 1}"
            message = error_text(exc)
            if message.startswith(f"{where}: "):
                message = message[len(where) + 2:]
            name = table.get("name") if isinstance(table, dict) and isinstance(table.get("name"), str) else None
            claims.append(Claim(shown, decl, layout, name, where, latex=latex, error=message))
    return claims


def _table(table: Any, where: str, decl: Declarations, layout: str, latex: bool) -> Claim:
    """One [[claim]] table as a Claim; InputError for a table that cannot be read."""
    if not isinstance(table, dict):
        raise InputError(f"{where}: write each claim as a [[claim]] table")
    unknown = set(table) - TOML_KEYS
    if unknown:
        raise InputError(f"{where}: unknown key {sorted(unknown)[0]!r}",
                         "keys: claim, name, vector, matrix, symmetric, shape, dim, layout")
    text_claim = table.get("claim")
    if not isinstance(text_claim, str) or not text_claim.strip():
        raise InputError(f"{where}: a [[claim]] table needs claim = \"LHS = RHS\"")
    name = table.get("name")
    if name is not None and not isinstance(name, str):
        raise InputError(f"{where}: 'name' must be a string")
    claim_layout = table.get("layout", layout)
    if claim_layout not in LAYOUTS:
        raise InputError(f"{where}: layout must be 'numerator' or 'denominator', not {claim_layout!r}")
    dim = table.get("dim")
    if dim is not None and (not isinstance(dim, int) or isinstance(dim, bool) or not 1 <= dim <= 10_000):
        raise InputError(f"{where}: 'dim' must be a whole number from 1 to 10000")
    own = Declarations(
        vectors=_names(table["vector"], "vector", where) if "vector" in table else (),
        matrices=_names(table["matrix"], "matrix", where) if "matrix" in table else (),
        symmetric=_names(table["symmetric"], "symmetric", where) if "symmetric" in table else (),
        shapes=_shapes(table["shape"], where) if "shape" in table else (),
        dim=dim,
    )
    merged = decl.merged(own)
    _check_decl(merged, where)
    _parse_equation(text_claim.strip(), latex)
    return Claim(text_claim.strip(), merged, claim_layout, name, where, latex=latex)


def _check_decl(decl: Declarations, where: str) -> None:
    try:
        from ..model.declarations import Context, check_declarations

        check_declarations(decl)
        Context(decl)  # shapes parse, symmetric ones are square
    except InputError as exc:
        raise InputError(f"{where}: {exc.message}", exc.hint) from None


def read_claims_file(path: str, decl: Declarations = Declarations(), layout: str = Layout.NUMERATOR, *,
                     latex: bool = False) -> list[Claim]:
    """A claims file by its suffix: ``.toml`` tables, anything else one claim a line."""
    if os.path.splitext(path)[1].lower() == ".toml":
        return read_toml(path, decl, layout, latex=latex)
    return read_txt(path, decl, layout, latex=latex)


def collect(args: Sequence[str] = (), files: Sequence[str] = (), *, decl: Declarations = Declarations(),
            layout: str = Layout.NUMERATOR, stdin: IO[str] | str | None = None, latex: bool = False) -> list[Claim]:
    """The claims of one ``check`` run from its arguments (``-`` reads ``stdin``, a stream or
    the text already read) and its files, in order (the catalogue's are ``check.catalogue``'s)."""
    claims: list[Claim] = []
    stdin_read = False
    for arg in args:
        if arg == "-":
            if stdin_read:
                continue
            if stdin is None:
                import sys

                stdin = sys.stdin
            claims.extend(read_lines(stdin, decl, layout, latex=latex))
            stdin_read = True
            continue
        claims.append(_readable(arg, decl, layout, None, "", latex))
    for path in files:
        claims.extend(read_claims_file(path, decl, layout, latex=latex))
    return claims
