"""`python -m allocator.cli`: the same as the `allocator` command."""

import sys

from allocator.cli import main

sys.exit(main())
