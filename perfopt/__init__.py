"""perfopt: make C++ code faster, and prove it with the program's own tests."""

__version__ = "0.1.0"
