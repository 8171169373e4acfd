"""Test amplification: larger inputs, inferred from the samples, judged by agreeing oracles.

The public tests of CodeNet problems are the statement's samples: so small that
process start-up dominates and no speed difference shows. This package infers
each input's structure (:mod:`.structure`), generates bigger inputs of that
shape, and keeps one only when independent correct solutions agree on its
output (:mod:`.amplify`), as AlphaCode/CodeContests did.
"""
