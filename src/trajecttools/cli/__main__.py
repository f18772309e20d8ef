"""Run the command line as ``python -m trajecttools.cli``."""

import os
import sys

from trajecttools.cli.app import main

if __name__ == "__main__":  # pragma: no cover
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
