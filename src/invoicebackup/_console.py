"""The ``invoicebackup`` command's entry point, which says what to install when click is absent.

The command is installed with the package whatever its extras, but it needs the ``cli`` extra
(click). Without it, a user who installed ``invoicebackup[docusign]`` would otherwise meet a
``ModuleNotFoundError`` traceback; this says in one line what to install instead.
"""

from __future__ import annotations

import sys

#: The exit code for "cannot run here": the same as a usage error.
_EXIT_USAGE = 2


def main() -> None:
    """Run the command-line tool, or say which extra it needs."""
    try:
        from .cli import main as cli_main
    except ModuleNotFoundError as error:
        if error.name != "click":
            raise
        sys.stderr.write(
            "invoicebackup: the command-line tool needs click, which comes with the `cli` "
            'extra: pip install "invoicebackup[cli]"\n'
        )
        raise SystemExit(_EXIT_USAGE) from None
    cli_main()
