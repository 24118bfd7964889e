import sys

from delegations.cli import main

sys.exit(main())
