"""``python -m otcoding``: the command line."""

import sys

from otcoding.cli import main

sys.exit(main())
