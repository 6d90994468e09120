"""The entry point of ``gradcli`` and ``python -m gradcli``.

It imports nothing before its ``try``, so that Ctrl-C at any moment, even while Click and
the CLI are being loaded, ends with one line on stderr and exit status 130
(``ExitStatus.INTERRUPTED``), never a traceback.
"""

import sys


def main() -> None:
    try:
        from gradcli.cli.main import main as cli_main

        cli_main()
    except KeyboardInterrupt:
        _interrupted()
    except SystemExit:
        _quiet_ctrl_c()  # the answer is given: a Ctrl-C while Python shuts down just ends it
        raise


def _quiet_ctrl_c() -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _interrupted() -> None:
    _quiet_ctrl_c()  # a second Ctrl-C ends the process at once
    try:
        sys.stderr.write("error: interrupted\n")
        sys.stderr.flush()
    except (AttributeError, OSError, ValueError):
        pass
    try:
        from gradcli.errors import ExitStatus

        status = int(ExitStatus.INTERRUPTED)
    except BaseException:  # noqa: BLE001 - interrupted while loading it: the same number, as shells make it
        import signal

        status = 128 + int(signal.SIGINT)
    sys.exit(status)


if __name__ == "__main__":
    main()
