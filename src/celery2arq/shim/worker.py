"""``python -m celery2arq.shim.worker proj.arq_worker.WorkerSettings``: run a ``ShimWorker``.

The implementation lives in ``shim_worker`` (imported by the package); this module is only the
``-m`` entry point, so running it never finds itself already imported (runpy's RuntimeWarning).
"""

from __future__ import annotations

import sys

from celery2arq.shim.shim_worker import *  # noqa: F403  (``from celery2arq.shim.worker import ...`` keeps working)
from celery2arq.shim.shim_worker import main

if __name__ == "__main__":
    sys.exit(main())
