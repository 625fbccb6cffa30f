"""``python -m invoicebackup``: the command-line tool."""

from .cli import main

main()
