"""`python -m builder` is the same as the `archive` command."""

import sys

from .cli import main

sys.exit(main())
