"""`python -m portal.job_process JOB_ID`: run one background job in this process (the mode without Redis).

An entry module of its own: portal.jobs is imported once under its real name, so the runners that the
portal's modules register are the ones run_job looks up (`python -m portal.jobs` loaded a second,
empty copy of the registry as __main__ and every job failed with a KeyError).
"""

from __future__ import annotations

import sys

from portal.jobs import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
