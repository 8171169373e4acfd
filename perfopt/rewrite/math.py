"""Rewrites of the math family."""

from __future__ import annotations

from perfopt.rewrite.interface import Rewrite

REWRITES: list[type[Rewrite]] = []
