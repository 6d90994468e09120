"""LaTeX input: ``parse_latex`` reads the maths of papers and of gradcli's own LaTeX output
(tokens: ``tokens``; derivative operators: ``operators``; the grammar: ``parser``)."""

from .parser import parse_latex

__all__ = ["parse_latex"]
