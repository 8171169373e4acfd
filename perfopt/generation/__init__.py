"""Candidate generation with the bundled model (or another one given with ``--model``)."""

from perfopt.generation.model import BUNDLED, LoadedModel, ModelError, load_model, resolve_model

__all__ = ["BUNDLED", "LoadedModel", "ModelError", "load_model", "resolve_model"]
