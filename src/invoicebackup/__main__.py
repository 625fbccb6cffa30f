"""``python -m invoicebackup``: the command-line tool."""

from ._console import main

main()
