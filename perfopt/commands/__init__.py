"""One module per CLI command; each takes plain values and returns what to print."""
