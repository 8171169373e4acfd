"""Whether a loop can change a C string: the question behind ``strings.strlen_hoist``.

``string_unchanged`` answers it conservatively: the string must be a char array
or pointer, every use of its name in the loop must only read it, and nothing
else in the loop may write through a pointer or reference, or (for a string
other code can reach) call anything but a read-only library function. It is
separate from ``streams`` (the console-I/O analysis) because it asks about
the program's own buffers, not its streams; it borrows that module's name
lookups (``call_name``, ``declarator_of``, ...).
"""

from __future__ import annotations

from tree_sitter import Node

from perfopt.rewrite.parse import Parsed
from perfopt.rewrite.streams import (
    call_name,
    declarator_of,
    is_std_string,
    method_of,
    operator_of,
    user_functions,
    words,
)
from perfopt.rewrite.types import declared_type

#: Library calls that only read their arguments (and touch no global string of the program's).
_READ_ONLY_CALLS = words(
    "strlen strcmp strncmp strchr strrchr strstr strspn strcspn memcmp memchr atoi atol atoll atof printf puts "
    "putchar fputs isdigit isalpha isalnum isupper islower isspace ispunct isxdigit isprint toupper tolower abs max min"
)
#: Parents through which a character read from ``s[i]`` is only read.
_VALUE_PARENTS = words(
    "binary_expression unary_expression condition_clause parenthesized_expression cast_expression "
    "subscript_argument_list expression_statement return_statement case_statement conditional_expression"
)
#: Library calls that write a string they are given but keep no pointer to it.
_FILLERS = words("scanf sscanf gets fgets strcpy strncpy strcat strncat sprintf snprintf memset memcpy")
#: What a write to ``a[i]``, ``(a)`` or ``a.x`` writes to: ``a``.
_SEE_THROUGH = ("subscript_expression", "parenthesized_expression", "field_expression")


def char_buffer(parsed: Parsed, ident: Node) -> bool:
    """Whether ``ident`` is a char array or pointer."""
    found = declarator_of(parsed, ident)
    if found is None:
        return False
    decl, declarator = found
    kind = decl.child_by_field_name("type")
    return (
        kind is not None
        and parsed.text(kind) == "char"
        and declarator.type in ("array_declarator", "pointer_declarator")
    )


def _private_array(parsed: Parsed, ident: Node) -> bool:
    """Whether ``ident`` is a local, non-static char array whose address never leaves its function's sight.

    Such an array changes only through its own name, so a call that is not given it cannot change it.
    """
    found = declarator_of(parsed, ident)
    if found is None or found[1].type != "array_declarator" or found[0].type != "declaration":
        return False
    decl = found[0]
    function = parsed.function_of(decl)
    if function is None or any(c.type == "storage_class_specifier" for c in decl.children):
        return False
    for use in parsed.identifiers(function, parsed.text(ident)):
        if declarator_of(parsed, use) != found:
            continue
        parent = use.parent
        filled = parent is not None and (
            (
                parent.type == "argument_list"
                and parent.parent is not None
                and call_name(parsed, parent.parent) in _FILLERS
            )
            or (
                parent.type == "binary_expression" and operator_of(parsed, parent) == ">>" and _streamed(parsed, parent)
            )
        )
        if not filled and not _reads_only(parsed, use) and parsed.enclosing(use, "declaration") != decl:
            return False
    return True


def _reads_only(parsed: Parsed, use: Node) -> bool:
    """Whether the value ``use`` (``s`` itself, or a character ``s[i]``) is only read where it stands."""
    node = use
    while True:
        parent = node.parent
        if parent is None:
            return False
        if parent.type == "argument_list":
            call = parent.parent
            if call is None:
                return False
            name = call_name(parsed, call)
            if node is not use and _container_method(parsed, call):
                return True  # A character handed to push_back, count, ...: they take it by value or const&.
            if name in user_functions(parsed):
                return _takes_values(parsed, name)
            return name in _READ_ONLY_CALLS
        if node is use and use.type == "identifier":
            # `s` itself: only as the array of `s[i]`, or printed with <<.
            if parent.type == "subscript_expression" and parent.child_by_field_name("argument") == node:
                node = parent
                continue
            return parent.type == "binary_expression" and operator_of(parsed, parent) == "<<"
        if parent.type == "assignment_expression":
            return parent.child_by_field_name("right") == node
        if parent.type == "init_declarator":
            declarator = parent.child_by_field_name("declarator")
            return declarator is not None and declarator.type == "identifier"  # A copy, not a char&.
        if parent.type == "binary_expression" and operator_of(parsed, parent) == ">>":
            return parent.child_by_field_name("left") == node and not _streamed(parsed, parent)
        if parent.type == "unary_expression" and operator_of(parsed, parent) == "&":
            return False
        if parent.type == "subscript_argument_list":
            return True  # An index: read.
        if parent.type not in _VALUE_PARENTS:
            return False
        if parent.type in ("condition_clause", "expression_statement", "return_statement", "case_statement"):
            return True
        node = parent


def _takes_values(parsed: Parsed, name: str | None) -> bool:
    """Whether every declaration of the program's function ``name`` takes all its parameters by value."""
    for n in parsed.walk():
        if n.type != "function_declarator" or (inner := n.child_by_field_name("declarator")) is None:
            continue
        params = n.child_by_field_name("parameters")
        if parsed.text(inner).split("::")[-1] != name or params is None:
            continue
        for p in params.named_children:
            kind, declarator = p.child_by_field_name("type"), p.child_by_field_name("declarator")
            if p.type != "parameter_declaration" or kind is None or "&" in parsed.text(kind):
                return False
            if declarator is not None and declarator.type != "identifier":
                return False
    return True


def _streamed(parsed: Parsed, shift: Node) -> bool:
    """Whether ``a >> b`` reads from a stream into b (its left is itself a >> chain or a stream name)."""
    left = shift.child_by_field_name("left")
    return left is not None and (left.type == "binary_expression" or parsed.text(left) in ("cin", "std::cin"))


def _writes_elsewhere(parsed: Parsed, loop: Node, local: bool) -> bool:
    """Whether ``loop`` might change a string other than through its own name: a write through a pointer or
    reference, or (for a string other code can reach) a call of anything but a read-only library function."""
    own = user_functions(parsed)
    for n in parsed.walk(loop):
        target = None
        if n.type == "assignment_expression":
            target = n.child_by_field_name("left")
        elif n.type == "update_expression":
            target = n.child_by_field_name("argument")
        elif n.type == "binary_expression" and operator_of(parsed, n) == ">>" and _streamed(parsed, n):
            target = n.child_by_field_name("right")  # `cin >> p` fills what p points to.
        elif n.type == "call_expression" and not local:
            name = call_name(parsed, n)
            if (name not in _READ_ONLY_CALLS or name in own) and not _container_method(parsed, n):
                return True
        while target is not None and target.type in _SEE_THROUGH:
            if target.type == "field_expression" and operator_of(parsed, target) != ".":
                return True
            inner = target.child_by_field_name("argument")
            target = inner if inner is not None else next(iter(target.named_children), None)
        if target is None:
            continue
        if target.type != "identifier":
            return True
        found = declarator_of(parsed, target)
        if found is None or found[1].type in ("pointer_declarator", "reference_declarator"):
            return True
    return False


def _container_method(parsed: Parsed, call: Node) -> bool:
    """A method of a standard container or string variable (it cannot reach a char array of the program's)."""
    method = method_of(parsed, call)
    if method is None or method[0].type != "identifier" or method[1] == "copy":  # string::copy writes a char*.
        return False
    kind = declared_type(parsed, method[0]) or ""
    return kind.startswith(("vector", "std::vector", "map", "std::map", "set", "std::set")) or is_std_string(
        parsed, method[0]
    )


def string_unchanged(parsed: Parsed, loop: Node, s: Node) -> bool:
    """Whether nothing in ``loop`` can change the string ``s`` (so its length stays what it was)."""
    if not char_buffer(parsed, s):
        return False
    if not all(_reads_only(parsed, use) for use in parsed.identifiers(loop, parsed.text(s))):
        return False
    return not _writes_elsewhere(parsed, loop, _private_array(parsed, s))
