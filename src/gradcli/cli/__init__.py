"""The command line: options in, a use case called, its result rendered and written."""

from .main import cli, main

__all__ = ["cli", "main"]
