"""`python -m functions.operator`: the same as the `estimation-operator` command."""

import sys

from functions.operator.cli import main

sys.exit(main())
