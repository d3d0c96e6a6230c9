"""``python -m sorn_studio.cli``: the ``sorn-studio`` command without the installed script."""

import sys

from sorn_studio.cli import main

# Guarded: tools that import every module (tests/test_core_no_qt.py) must not start a command.
if __name__ == "__main__":
    sys.exit(main())
