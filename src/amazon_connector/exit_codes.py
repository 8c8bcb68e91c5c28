"""The exit codes of every command, one meaning each, for a scheduler to alert on (README "Exit codes").

``USAGE`` is typer's (an unknown option, a missing argument); ``CANCELLED`` and ``FATAL`` are a report's
endings and only the ``reports`` commands give them.
"""

DONE = 0
"""Everything asked for was done."""
ERROR = 1
"""Nothing was done: bad input (one message says what and how to fix it) or a failure before any work."""
USAGE = 2
"""The command line itself is wrong (typer's usage error)."""
SOME_FAILED = 3
"""The rest was done, but some records (or connections, or orders asked for by ID) failed or were
refused: the errors file or the message names them; running again alone does not help."""
CANCELLED = 3
"""reports: Amazon cancelled the report (no data, or asked too often)."""
FATAL = 4
"""reports: Amazon could not make the report (its reason is shown)."""
UNFINISHED = 5
"""Not finished (stopped part way, or still waiting for Amazon): what is done is kept, and running the
same command again continues it without sending anything twice."""
INTERRUPTED = 130
"""Interrupted (Ctrl-C); as UNFINISHED, the same command continues."""
