"""Headers for Library Checker's generators and solutions: the repository's own, stand-ins, one flat source.

The corpus holds C++ files only, deduplicated across the whole corpus. So ``common/random.h`` (which nearly
every generator includes) and each problem's ``params.h`` (generated upstream from ``info.toml``) are absent,
and a header shared by two problems is kept under one of them. What is missing gets a stand-in here; a
header kept elsewhere is found by its path's tail. Every source is compiled flattened, its quoted includes
inlined, so that the code a pair stores is exactly the code that was tested.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping

from perfopt.rewrite import Parsed

REPO = "yosupo06/library-checker-problems"

#: Upstream's interface (the calls generators make), on a generator of its own: tests need valid inputs,
#: not upstream's exact ones.
RANDOM_H = """\
#pragma once
#include <algorithm>
#include <cassert>
#include <cstdint>
#include <numeric>
#include <set>
#include <string>
#include <utility>
#include <vector>

struct Random {
    Random(uint64_t seed = 0) : state_(seed * 0x2545f4914f6cdd1dULL + 0x1234567ULL) {}

    // Uniform on [lower, upper], both ends included.
    template <class T> T uniform(T lower, T upper) {
        assert(lower <= upper);
        return T(lower + T(below(uint64_t(upper - lower))));
    }
    bool uniform_bool() { return (next() & 1) != 0; }
    double uniform01() { return double(next() >> 11) / double(1ULL << 53); }
    // Two distinct values of [lower, upper], the smaller first.
    template <class T> std::pair<T, T> uniform_pair(T lower, T upper) {
        assert(lower < upper);
        T a = uniform(lower, upper), b = uniform(lower, upper);
        while (a == b) b = uniform(lower, upper);
        return a < b ? std::make_pair(a, b) : std::make_pair(b, a);
    }
    std::string lower_string(size_t n) {
        std::string s(n, 'a');
        for (auto& c : s) c = uniform('a', 'z');
        return s;
    }
    template <class It> void shuffle(It first, It last) {
        for (auto n = last - first; n > 1; --n) std::iter_swap(first + (n - 1), first + uniform<decltype(n)>(0, n - 1));
    }
    template <class T> std::vector<T> perm(size_t n) {
        std::vector<T> v(n);
        std::iota(v.begin(), v.end(), T(0));
        shuffle(v.begin(), v.end());
        return v;
    }
    // n distinct values of [lower, upper], sorted.
    template <class T> std::vector<T> choice(size_t n, T lower, T upper) {
        assert(T(n) <= upper - lower + 1);
        std::set<T> picked;
        while (picked.size() < n) picked.insert(uniform(lower, upper));
        return std::vector<T>(picked.begin(), picked.end());
    }

  private:
    uint64_t state_;
    uint64_t next() {  // splitmix64
        uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    uint64_t below(uint64_t n) {  // uniform on [0, n], by rejection on the smallest covering mask
        uint64_t mask = n;
        for (int s = 1; s < 64; s <<= 1) mask |= mask >> s;
        for (;;) {
            uint64_t r = next() & mask;
            if (r <= n) return r;
        }
    }
};

inline Random global_gen;
"""

_INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')
#: Limits the standard headers define: all capitals and ending in _MAX or _MIN too, but never parameters.
_STANDARD = re.compile(
    r"^(U?INT\d*|U?LLONG|U?LONG|U?SHRT|S?CHAR|UCHAR|SIZE|PTRDIFF|U?INTMAX|U?INTPTR|DBL|FLT|LDBL)_(MAX|MIN)$"
)
_CONSTANT = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$")
#: Words of a parameter's name that say how it bounds, not what: ``N_AND_Q_MAX`` bounds N and Q.
_SHAPE = frozenset({"MAX", "MIN", "AND", "ABS", "SMALL", "MID", "SUM", "PROD"})
#: What values (not sizes) are called: their bound does not change how long a solution runs.
_VALUES = frozenset({"A", "B", "C", "X", "Y", "Z", "W", "V", "VAL", "VALUE"})
MOD = 998_244_353
#: Below upstream's usual 10^9: some naive solutions sum values in an int, which upstream's real bound (never
#: seen here) keeps from overflowing.
VALUE_MAX = 10**6


def quoted_include(line: str) -> str | None:
    m = _INCLUDE.match(line)
    return m.group(1) if m else None


class Sources:
    """The repository's files (path -> code), with stand-ins for what the corpus lacks."""

    def __init__(self, files: Mapping[str, str]) -> None:
        self.files = dict(files)
        self.files.setdefault("common/random.h", RANDOM_H)
        self._by_name: dict[str, list[str]] = {}
        for path in sorted(self.files):
            self._by_name.setdefault(posixpath.basename(path), []).append(path)

    def resolve(self, name: str, folder: str) -> str | None:
        """The file ``#include "name"`` in ``folder`` reads: beside it, in common/, else a copy kept elsewhere."""
        for candidate in (posixpath.normpath(posixpath.join(folder, name)), posixpath.join("common", name)):
            if candidate in self.files:
                return candidate
        # A deduplicated copy: the same path tail under another problem, the nearest (same category) first.
        tail = "/".join(part for part in name.split("/") if part not in (".", ".."))
        copies = [p for p in self._by_name.get(posixpath.basename(name), []) if p.endswith("/" + tail)]
        if not copies:
            return None
        return max(copies, key=lambda p: len(posixpath.commonpath([p, folder])))

    def flatten(self, path: str, extra: Mapping[str, str] | None = None) -> tuple[str, list[str]]:
        """``path``'s code with every quoted include found inlined (once each), and the includes not found.

        ``extra`` adds files for this one call (a problem's params.h at one scale).
        """
        files = {**self.files, **(extra or {})}
        seen: set[str] = set()
        missing: list[str] = []

        def expand(current: str) -> list[str]:
            seen.add(current)
            out: list[str] = []
            for line in files[current].splitlines():
                name = quoted_include(line)
                target = self._find(name, posixpath.dirname(current), files) if name else None
                if name is None or target is None:
                    if name is not None and name not in missing:
                        missing.append(name)  # a system header spelled with quotes still compiles
                    if current == path or line.strip() != "#pragma once":
                        out.append(line)
                elif target not in seen:
                    out += expand(target)
            return out

        lines = expand(path)
        # A file with nothing to inline is kept byte for byte: the pair stores the corpus's own text.
        return (files[path] if seen == {path} else "\n".join(lines) + "\n"), missing

    def _find(self, name: str, folder: str, files: Mapping[str, str]) -> str | None:
        local = posixpath.normpath(posixpath.join(folder, name))
        return local if local in files else self.resolve(name, folder)


def constants(code: str) -> set[str]:
    """Names in capitals that ``code`` uses and never defines: the parameters params.h must give."""
    parsed = Parsed(code)
    used: set[str] = set()
    defined: set[str] = set()
    for node in parsed.walk():
        if node.type != "identifier":
            continue
        name = parsed.text(node)
        if not _CONSTANT.match(name):
            continue
        parent = node.parent
        declares = parent is not None and node in (
            parent.child_by_field_name("declarator"),
            parent.child_by_field_name("name"),
        )
        (defined if declares else used).add(name)
    return {n for n in used - defined if is_parameter(n)}


def is_parameter(name: str) -> bool:
    words = name.split("_")
    return not _STANDARD.match(name) and bool({"MAX", "MIN", "MOD"} & set(words))


def value(name: str, scale: int) -> int:
    """A parameter's stand-in value: sizes at ``scale``, so that naive solutions finish; values and moduli fixed.

    Any value within the real bounds makes valid inputs; a guess outside them shows when the correct solution
    fails or the two disagree, and the problem is tried at the next smaller scale.
    """
    words = name.split("_")
    if "MOD" in words:
        return MOD
    bases = [w for w in words if w not in _SHAPE]
    if "MIN" in words:
        return 2 if bases == ["P"] else 1  # a prime's lower bound
    if bases and all(b in _VALUES for b in bases):
        return VALUE_MAX
    if "SMALL" in words:
        return max(2, scale // 10)
    if "MID" in words:
        return max(2, scale // 2)
    return scale


def params_h(names: Iterable[str], scale: int) -> str:
    """A params.h in upstream's form (``#define N_MAX (long long)500000``), which typed calls rely on."""
    lines = ["#pragma once"]
    for name in sorted(names):
        lines += [f"#ifndef {name}", f"#define {name} (long long){value(name, scale)}", "#endif"]
    return "\n".join(lines) + "\n"
