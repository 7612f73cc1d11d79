"""Exit statuses of the ``pixiconf`` command line, shared by every sub-command.

0: success; 1: a failure the command was asked to find (a failing case, an invalid manifest,
an out-of-date lock file); 2: bad usage or bad input (argparse's convention); 3: the operation
is not supported by the implementation; 130: interrupted (128 + SIGINT).
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_UNSUPPORTED = 3
EXIT_INTERRUPTED = 130
