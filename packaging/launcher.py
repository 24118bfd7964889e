"""The bundled program's entry point: the same as the ``delegations`` console script."""

import multiprocessing
import sys

from delegations.cli import main

if __name__ == "__main__":
    # Badge QR codes are encoded in worker processes: a frozen program must let a
    # worker started from it run the worker, not the application.
    multiprocessing.freeze_support()
    sys.exit(main())
