"""`python -m pianogenie ...`: what torchrun and the tests start (`torchrun -m pianogenie train ...`)."""

import sys

from .cli import main

sys.exit(main())
