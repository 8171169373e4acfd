"""Data stage: the corpus, problem mapping, test amplification and (slow, fast) pairs."""
