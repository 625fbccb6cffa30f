"""The ``invoicebackup`` command's entry point, which says what to install when click is absent.

The command is installed with the package whatever its extras, but it needs the ``cli`` extra
(click). Without it, a user who installed ``invoicebackup[docusign]`` would otherwise meet a
``ModuleNotFoundError`` traceback; this says in one line what to install instead.
"""

from __future__ import annotations

import gc
import logging
import sys

#: The exit code for "cannot run here": the same as a usage error.
_EXIT_USAGE = 2
#: The command's own collector thresholds (Python's default is 700, 10, 10).
_COLLECTOR_THRESHOLDS = (20_000, 20, 20)


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
    # The command is the application here, so it may decide for its process what the library
    # may not decide for a host: the PDF engine's own log chatter about a damaged file
    # ("EOF marker not found") is not shown; what it means is in each left-out line.
    logging.getLogger("pypdf").addHandler(logging.NullHandler())
    # And how its collector runs. A compile keeps many objects alive for a while (the
    # values it reads, its caches): with Python's default thresholds, collections took
    # about a tenth of a compile of real-world documents (0.20-0.27 s of 2.3 s, timed with
    # gc.callbacks); with the modules' objects frozen and fewer collections, 0.05 s. The
    # library leaves a host's collector as the host set it.
    gc.freeze()
    gc.set_threshold(*_COLLECTOR_THRESHOLDS)
    cli_main()
