"""``python -m groundup``: the same as the ``groundup`` command."""

from groundup.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
