"""`python -m edgemodels`: the `edgemodels` program (launch.py), started by module name."""

import sys

from edgemodels.launch import main

sys.exit(main())
