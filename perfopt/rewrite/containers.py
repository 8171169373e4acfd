"""Rewrites of the containers family."""

from __future__ import annotations

from perfopt.rewrite.interface import Rewrite

REWRITES: list[type[Rewrite]] = []
