"""One-line warnings from the core, on stderr, each at most once per process.

The core never prints; it logs to the "perfopt" logger, and the CLI formats
that as ``perfopt: warning: ...`` (perfopt/cli.py). Library users get ordinary
logging records.
"""

from __future__ import annotations

import logging

log = logging.getLogger("perfopt")

_warned: set[str] = set()


def warn_once(message: str) -> None:
    if message not in _warned:
        _warned.add(message)
        log.warning(message)
