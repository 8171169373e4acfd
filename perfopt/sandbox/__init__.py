"""Running untrusted candidate programs: limits, isolation and verdicts."""

from perfopt.sandbox.jail import Isolation
from perfopt.sandbox.runner import Limits, Outcome, RunResult, Sandbox

__all__ = ["Isolation", "Limits", "Outcome", "RunResult", "Sandbox"]
