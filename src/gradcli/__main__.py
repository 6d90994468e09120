"""The entry point of ``gradcli`` and ``python -m gradcli``.

It imports nothing before its ``try``, so that Ctrl-C at any moment, even while Click and
the CLI are being loaded, ends with one line on stderr and exit status 130
(``ExitStatus.INTERRUPTED``), never a traceback.
"""

import sys


def main() -> None:
    try:
        from gradcli.cli import main as cli_main

        cli_main()
    except KeyboardInterrupt:
        _interrupted()


def _interrupted() -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)  # a second Ctrl-C ends the process at once
    try:
        sys.stderr.write("error: interrupted\n")
        sys.stderr.flush()
    except (AttributeError, OSError, ValueError):
        pass
    sys.exit(130)


if __name__ == "__main__":
    main()
