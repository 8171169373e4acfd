"""What an inverse is: a rewrite whose edits make a program slower without changing what it prints.

It is a :class:`~perfopt.rewrite.interface.Rewrite` (``find`` returns
matches of edits on a :class:`~perfopt.rewrite.parse.Parsed` file) with two
more promises, both checked by tests:

- **meaning**: the result compiles wherever the original did and prints the
  same for every input; ``unsafe_when`` says where it therefore stays silent;
- **learnable**: the forward rewrite named by ``inverts`` can undo it, that is,
  it finds a match in the result (the pair teaches exactly that rewrite), unless
  ``inverts`` is an algorithmic idea the library has no rewrite for, named
  ``"algorithmic.<idea>"``.

Its ``name`` is ``"<family>.<rule>"`` like a rewrite's, and its ``why`` says
why the result is slower.
"""

from __future__ import annotations

from typing import ClassVar

from perfopt.rewrite.interface import Rewrite


class Inverse(Rewrite):
    #: The forward rewrite's name ("io.endl_to_newline"), or "algorithmic.<idea>" when the library has none.
    inverts: ClassVar[str]
