"""gradcli: a command-line gradient calculator."""

__version__ = "0.1.0"
