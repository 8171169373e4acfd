"""Rewrites of the loops family."""

from __future__ import annotations

from perfopt.rewrite.interface import Rewrite

REWRITES: list[type[Rewrite]] = []
