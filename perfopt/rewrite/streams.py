"""What a program does with its streams: which names are the standard ones, and where it reads and writes the
console.

The io and strings rewrites share these questions: is this ``cout`` the
standard one, does the program mix C stdio with iostreams, does it talk to
someone interactively (a write followed by a read), where dropping a flush
could leave the other side waiting for output that never comes, and is this
variable a ``std::string``. Whether a loop can change a C string is a separate
question, in ``cstrings``.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass

from tree_sitter import Node

from perfopt.rewrite.parse import Parsed
from perfopt.rewrite.types import declaration_of, declarator_name


def words(text: str) -> frozenset[str]:
    """The words of ``text``, for the name lists of this module and of ``cstrings``."""
    return frozenset(text.split())


#: C stdio calls that read the console (or could: fgets and friends on any FILE*); C's getline needs ``stdin``.
C_READS = words("scanf scanf_s vscanf fscanf getchar getchar_unlocked getc getc_unlocked fgetc fgets gets fread read")
#: C stdio calls that write the console.
C_WRITES = words(
    "printf vprintf fprintf puts putchar putchar_unlocked putc putc_unlocked fputc fputs fwrite write perror"
)
#: Calls that change how stdio is buffered or hand the console to someone else.
C_OTHER = words("fflush freopen setvbuf setbuf system popen fork execv execvp execl execlp")
#: Ways out of a program that skip flushing iostream buffers.
HARD_EXITS = words("_exit _Exit quick_exit abort")

_CIN_READS = words("get getline read readsome ignore peek unget putback")
_COUT_WRITES = words("put write")
_DECLARATOR_PARENTS = words(
    "init_declarator function_declarator array_declarator pointer_declarator "
    "reference_declarator declaration parameter_declaration optional_parameter_declaration field_declaration"
)


@dataclass
class _Facts:
    """File-wide answers, computed once per parse: the rewrites ask them for every ``<<``."""

    nodes: list[Node]
    namespace_std: bool
    using_std: set[str]
    declared: set[str]
    macros: set[str]
    functions: dict[str, Node]


_FACTS: weakref.WeakKeyDictionary[Parsed, _Facts] = weakref.WeakKeyDictionary()


def _facts(parsed: Parsed) -> _Facts:
    facts = _FACTS.get(parsed)
    if facts is None:
        nodes = list(parsed.walk())
        usings = [_squash(parsed.text(n)) for n in nodes if n.type == "using_declaration"]
        declared = set()
        for n in nodes:
            parent = n.parent
            if n.type != "identifier" or parent is None or parent.type not in _DECLARATOR_PARENTS:
                continue
            # `f(cout)` is an argument, not a declaration; in a declaration the identifier sits in a declarator field.
            if parent.type == "function_declarator" or parent.child_by_field_name("declarator") == n:
                declared.add(parsed.text(n))
        facts = _Facts(
            nodes=nodes,
            namespace_std="usingnamespacestd;" in usings,
            using_std={u[len("usingstd::") : -1] for u in usings if u.startswith("usingstd::")},
            declared=declared,
            macros={
                parsed.text(name)
                for n in nodes
                if n.type in ("preproc_def", "preproc_function_def") and (name := n.child_by_field_name("name"))
            },
            functions=_user_functions(parsed, nodes),
        )
        _FACTS[parsed] = facts
    return facts


def uses_namespace_std(parsed: Parsed, file_level: bool = False) -> bool:
    """Whether the file says ``using namespace std;`` (with ``file_level``: outside any function or namespace)."""
    if not file_level:
        return _facts(parsed).namespace_std
    return any(
        n.type == "using_declaration" and _squash(parsed.text(n)) == "usingnamespacestd;"
        for n in parsed.root.named_children
    )


def is_std(parsed: Parsed, node: Node, name: str) -> bool:
    """Whether ``node`` names ``std::name`` (spelled so, or bare under ``using namespace std``/``using std::name``)."""
    if node.type == "qualified_identifier":
        return _squash(parsed.text(node)) in (f"std::{name}", f"::std::{name}")
    if node.type not in ("identifier", "type_identifier") or parsed.text(node) != name:
        return False
    facts = _facts(parsed)
    if name in facts.declared or name in facts.macros:
        return False
    return facts.namespace_std or name in facts.using_std


def call_name(parsed: Parsed, call: Node) -> str | None:
    """``f`` for a call of ``f(...)`` or ``std::f(...)``; None for methods and anything else."""
    fn = call.child_by_field_name("function")
    if fn is None:
        return None
    if fn.type == "identifier":
        return parsed.text(fn)
    if fn.type == "qualified_identifier":
        text = _squash(parsed.text(fn))
        for prefix in ("std::", "::std::", "::"):
            if text.startswith(prefix) and text[len(prefix) :].isidentifier():
                return text[len(prefix) :]
    return None


def method_of(parsed: Parsed, call: Node) -> tuple[Node, str] | None:
    """``(obj, m)`` for a call ``obj.m(...)``."""
    fn = call.child_by_field_name("function")
    if fn is None or fn.type != "field_expression" or parsed.text(fn.children[1]) != ".":
        return None
    obj, field = fn.child_by_field_name("argument"), fn.child_by_field_name("field")
    if obj is None or field is None:
        return None
    return obj, parsed.text(field)


def stream_root(parsed: Parsed, node: Node, op: str) -> Node:
    """The leftmost operand of an ``a op b op c`` chain (the stream in ``cout << a << b``)."""
    while node.type == "binary_expression" and operator_of(parsed, node) == op:
        left = node.child_by_field_name("left")
        if left is None:
            break
        node = left
    return node


def user_functions(parsed: Parsed) -> dict[str, Node]:
    """Each function the file defines, by name, to its body."""
    return _facts(parsed).functions


def _user_functions(parsed: Parsed, nodes: list[Node]) -> dict[str, Node]:
    out: dict[str, Node] = {}
    for n in nodes:
        if n.type != "function_definition":
            continue
        decl = n.child_by_field_name("declarator")
        while decl is not None and decl.type != "function_declarator":
            decl = decl.child_by_field_name("declarator")
        name = decl.child_by_field_name("declarator") if decl is not None else None
        body = n.child_by_field_name("body")
        if name is not None and body is not None:
            out[parsed.text(name).split("::")[-1]] = body
    return out


def macro_words(parsed: Parsed) -> set[str]:
    """Every word in a #define body: macros are opaque to the parse tree, so their words count as used."""
    words: set[str] = set()
    for n in _all(parsed):
        if n.type in ("preproc_def", "preproc_function_def"):
            value = n.child_by_field_name("value")
            if value is not None:
                words.update(re.findall(r"[A-Za-z_]\w*", parsed.text(value)))
    return words


def c_stdio_calls(parsed: Parsed, names: frozenset[str]) -> list[Node]:
    """Calls of the C library functions ``names`` (not of the program's own functions of the same name)."""
    own = user_functions(parsed)
    return [
        n
        for n in _all(parsed)
        if n.type == "call_expression" and (name := call_name(parsed, n)) in names and name not in own
    ]


def console_reads(parsed: Parsed, node: Node) -> list[Node]:
    """Places beneath ``node`` that read standard input (iostream or C stdio)."""
    own = user_functions(parsed)
    out = []
    for n in parsed.walk(node):
        if n.type == "binary_expression" and operator_of(parsed, n) == ">>":
            if is_std(parsed, stream_root(parsed, n, ">>"), "cin"):
                out.append(n)
        elif n.type == "call_expression":
            name = call_name(parsed, n)
            method = method_of(parsed, n)
            args = n.child_by_field_name("arguments")
            first = args.named_children[0] if args is not None and args.named_children else None
            if (
                (name in C_READS and name not in own)
                or (name == "getline" and first is not None and is_std(parsed, first, "cin"))
                or (method is not None and method[1] in _CIN_READS and is_std(parsed, method[0], "cin"))
            ):
                out.append(n)
    return out


def console_writes(parsed: Parsed, node: Node) -> list[Node]:
    """Places beneath ``node`` that write standard output (iostream or C stdio)."""
    own = user_functions(parsed)
    out = []
    for n in parsed.walk(node):
        if n.type == "binary_expression" and operator_of(parsed, n) == "<<":
            if is_std(parsed, stream_root(parsed, n, "<<"), "cout"):
                out.append(n)
        elif n.type == "call_expression":
            name = call_name(parsed, n)
            method = method_of(parsed, n)
            if (name in C_WRITES and name not in own) or (
                method is not None and method[1] in _COUT_WRITES and is_std(parsed, method[0], "cout")
            ):
                out.append(n)
    return out


def interactive(parsed: Parsed) -> bool:
    """Whether some function writes to the console and then reads it (a prompt, or a query to a judge).

    A call of one of the program's own functions counts as the reads and writes
    that function does (transitively), so ``ask(x)`` in a loop is seen.
    """
    own = user_functions(parsed)
    reads = {name for name, body in own.items() if console_reads(parsed, body)}
    writes = {name for name, body in own.items() if console_writes(parsed, body)}
    changed = True
    while changed:
        changed = False
        for name, body in own.items():
            called = _called(parsed, body, own)
            for found, more in ((reads, called & reads), (writes, called & writes)):
                if more and name not in found:
                    found.add(name)
                    changed = True
    functions = [n for n in _all(parsed) if n.type in ("function_definition", "lambda_expression")]
    for block in (b for n in functions if (b := n.child_by_field_name("body")) is not None):
        calls = [n for n in parsed.walk(block) if n.type == "call_expression"]
        read_at = [n.start_byte for n in console_reads(parsed, block)]
        read_at += [n.start_byte for n in calls if call_name(parsed, n) in reads]
        write_at = [n.start_byte for n in console_writes(parsed, block)]
        write_at += [n.start_byte for n in calls if call_name(parsed, n) in writes]
        if read_at and write_at and min(write_at) < max(read_at):
            return True
    return False


def in_loop(parsed: Parsed, node: Node) -> bool:
    """Whether ``node`` sits in the body of a loop of its own function."""
    loop = parsed.enclosing(node, "for_statement", "for_range_loop", "while_statement", "do_statement")
    return loop is not None and parsed.function_of(loop) == parsed.function_of(node)


def _called(parsed: Parsed, body: Node, own: dict[str, Node]) -> set[str]:
    return {
        name
        for n in parsed.walk(body)
        if n.type == "call_expression" and (name := call_name(parsed, n)) is not None and name in own
    }


def operator_of(parsed: Parsed, node: Node) -> str | None:
    """The operator of a binary, unary or field expression (``<<``, ``&``, ``.``), as written."""
    op = node.child_by_field_name("operator")
    return parsed.text(op) if op is not None else None


def _all(parsed: Parsed) -> list[Node]:
    return _facts(parsed).nodes


def _squash(text: str) -> str:
    return "".join(text.split())


def declarator_of(parsed: Parsed, ident: Node) -> tuple[Node, Node] | None:
    """``(declaration, declarator)`` of the visible declaration of ``ident`` (``char s[9]`` gives the ``s[9]``)."""
    decl = declaration_of(parsed, ident)
    if decl is None:
        return None
    name = parsed.text(ident)
    for d in decl.children_by_field_name("declarator"):
        found = declarator_name(d)
        inner = d.child_by_field_name("declarator") if d.type == "init_declarator" else d
        if found is not None and inner is not None and parsed.text(found) == name:
            return decl, inner
    return None


def is_std_string(parsed: Parsed, ident: Node) -> bool:
    """Whether ``ident`` is a ``std::string`` variable (or a reference to one), not a pointer or array of them."""
    if ident.type != "identifier":
        return False
    found = declarator_of(parsed, ident)
    if found is None:
        return False
    decl, declarator = found
    kind = decl.child_by_field_name("type")
    if kind is None or _squash(parsed.text(kind)) not in ("std::string", "string", "::std::string"):
        return False
    if _squash(parsed.text(kind)) == "string" and not is_std(parsed, kind, "string"):
        return False
    return declarator.type in ("identifier", "reference_declarator")


#: Where a name can stand for a declaration of the program's own.
_STD_NAME_KINDS = ("identifier", "field_identifier", "type_identifier", "namespace_identifier")


def only_std(parsed: Parsed, name: str) -> bool:
    """Whether every mention of ``name`` in the file means ``std::name``: no declaration or macro of its own.

    Then writing ``std::name`` (or bare ``name`` under ``using namespace std``) names the standard one.
    """
    if name in macro_words(parsed):
        return False
    for node in parsed.named(name, _STD_NAME_KINDS):
        parent = node.parent
        if parent is not None and parent.type == "qualified_identifier" and is_std(parsed, parent, name):
            continue
        if not is_std(parsed, node, name):
            return False
    return True
