"""Windows: the whole file when it fits, else each function with the context it names, and long functions cut
between statements under their heads; every window within the token budget it was planned for."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path

import pytest

from perfopt.profile import Profile
from perfopt.rewrite.parse import Parsed
from perfopt.windows import GAP, NoWindow, Window, ranked, render, render_line, windows

TOKENIZER = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "codet5-tokenizer"


def count(lines: list[str]) -> list[int]:
    """A stand-in tokenizer: a token per word, and one for the newline."""
    return [len(line.split()) + 1 for line in lines]


def cost(source: str, shown: Sequence[int], numbered: bool = True) -> int:
    """A window's tokens recounted from its rendered text (``...`` lines too), plus the two special tokens."""
    text = render(source.split("\n"), shown, numbered)
    return sum(count(text.split("\n"))) + 2


def statement_spans(source: str) -> list[tuple[int, int, str]]:
    """Every statement and declaration of the file, as 1-based line spans."""
    parsed = Parsed(source)
    out = []
    for node in parsed.walk():
        if node.is_named and (node.type.endswith("statement") or node.type in ("declaration", "else_clause")):
            end = node.end_point
            last = end.row if end.column == 0 and end.row > node.start_point.row else end.row + 1
            out.append((node.start_point.row + 1, last, node.type))
    return out


def check(source: str, found: list[Window], budget: int, numbered: bool = True) -> None:
    """What every window must be: within budget, its focus shown whole, no statement cut by its focus."""
    total = len(source.split("\n"))
    spans = statement_spans(source)
    assert found == sorted(found, key=lambda w: w.first)
    for w in found:
        assert cost(source, w.lines, numbered) <= budget, w
        assert list(w.lines) == sorted(set(w.lines)) and w.lines[0] >= 1 and w.lines[-1] <= total, w
        assert set(range(w.first, w.last + 1)) <= set(w.lines), w
        for a, b, kind in spans:
            # A statement is inside the focus, outside it, or around it (its head shown): never across an end.
            crosses = a < w.first <= b < w.last or w.first < a <= w.last < b
            assert not crosses, f"{kind} at lines {a}-{b} is cut by {w.describe()}"


def test_render_numbers_lines_without_a_space_and_marks_gaps() -> None:
    lines = ["int a;", "int b;", "", "int d;"]
    assert render(lines, [1, 2, 4], numbered=True) == "1|int a;\n2|int b;\n...\n4|int d;"
    assert render(lines, [1, 2, 4], numbered=False) == "int a;\nint b;\n...\nint d;"
    assert render(lines, [3, 4], numbered=True) == "3|\n4|int d;"
    assert render(lines, [2], numbered=True) == "2|int b;"
    assert render(lines, [], numbered=True) == ""
    assert render_line(12, "    x++;", numbered=True) == "12|    x++;" and GAP == "..."


SMALL = """#include <cstdio>
int main() {
    int n;
    scanf("%d", &n);
    printf("%d\\n", n * 2);
}
"""


def test_a_file_that_fits_is_one_window_and_the_budget_is_exact() -> None:
    lines = SMALL.split("\n")
    everything = list(range(1, len(lines) + 1))
    need = cost(SMALL, everything)
    assert windows(SMALL, need, count) == [Window(tuple(everything), 1, len(lines), "whole file")]
    # One token short, the file is no longer one window: the function is, under its #include if that fits.
    below = windows(SMALL, need - 1, count)
    assert [w.label for w in below] == ["function main"]
    assert (below[0].first, below[0].last) == (2, 6)
    check(SMALL, below, need - 1)


def test_the_unnumbered_rendering_is_planned_with_its_own_costs() -> None:
    lines = SMALL.split("\n")
    everything = list(range(1, len(lines) + 1))
    need = cost(SMALL, everything, numbered=False)
    assert need < cost(SMALL, everything)  # the line numbers are words of the stand-in tokenizer
    assert windows(SMALL, need, count, numbered=False)[0].label == "whole file"
    assert windows(SMALL, need, count, numbered=True)[0].label != "whole file"


@pytest.mark.parametrize("budget", [20, 1000])
def test_a_header_without_function_bodies_has_no_window(budget: int) -> None:
    header = "#pragma once\n#include <vector>\nint f(int x);\nstruct S {\n    int x;\n    int get() const;\n};\n"
    with pytest.raises(NoWindow, match="no function body"):
        windows(header, budget, count)


def test_a_budget_below_every_statement_has_no_window() -> None:
    with pytest.raises(NoWindow, match="every function has a statement longer than the model's 6 tokens"):
        windows(SMALL, 6, count)


PAD = "\n".join(f"    volatile int pad{i} = {i};" for i in range(150))

CONTEXT = f"""#include <cstdio>
#include <vector>
using namespace std;
const int N = 1000;
int table[N];
int unrelated_counter = 0;
struct Point {{
    int x, y;
}};
#define SQUARE(v) ((v) * (v))
enum Mode {{ FAST, SLOW }};
struct Counter {{
    int hits = 0;
    int bump(int step) {{
        int i = 0;
        hits += step + i;
        return hits;
    }}
}};

long long sum_table() {{
    long long s = 0;
    for (int i = 0; i < N; i++) s += table[i];
    return s;
}}

int norm(Point p) {{
    return SQUARE(p.x) + SQUARE(p.y);
}}

int pick(int m) {{
    return m == FAST ? 1 : 2;
}}

int main() {{
{PAD}
    return 0;
}}
"""


def by_label(found: list[Window], label: str) -> Window:
    return next(w for w in found if w.label == label)


def test_a_function_window_shows_the_declarations_it_names_and_no_others() -> None:
    found = windows(CONTEXT, 150, count)
    check(CONTEXT, found, 150)
    assert "whole file" not in [w.label for w in found]
    always = {1, 2, 3}  # the #include and using lines
    point, square, mode, counter = set(range(7, 10)), {10}, {11}, set(range(12, 20))
    sum_table = by_label(found, "function sum_table")
    assert (sum_table.first, sum_table.last) == (21, 25)
    # N and table are named; the struct whose method has a local `i` is not what `i` names here.
    assert set(sum_table.lines) == always | {4, 5} | set(range(21, 26))
    norm = by_label(found, "function norm")
    assert set(norm.lines) == always | point | square | set(range(27, 30))
    pick = by_label(found, "function pick")
    assert set(pick.lines) == always | mode | set(range(31, 34))  # an enumerator names its enum
    bump = by_label(found, "function bump")
    assert (bump.first, bump.last) == (14, 18) and counter <= set(bump.lines)
    for w in found:
        assert 6 not in w.lines, w  # nothing names unrelated_counter


def test_context_goes_in_while_it_fits_includes_first() -> None:
    big = ", ".join(str(i) for i in range(40))
    main = "\n".join(f"    volatile int pad{i} = {i};" for i in range(40))
    source = "\n".join(
        [
            "int offset = 3;",  # before the includes, and cheaper than both of them
            "#include <cstdio>",
            "#include <cstring>",
            f"const int BIG[40] = {{{big}}};",
            "int f() {",
            "    return BIG[1] + offset;",
            "}",
            "int main() {",
            main,
            "    return f();",
            "}",
            "",
        ]
    )
    function = [5, 6, 7]
    assert cost(source, [1]) < cost(source, [2, 3])

    def f_window(budget: int) -> tuple[int, ...]:
        return by_label(windows(source, budget, count), "function f").lines

    assert f_window(cost(source, range(1, 8))) == (1, 2, 3, 4, 5, 6, 7)
    # BIG does not fit; the includes and offset still do.
    assert f_window(cost(source, [1, 2, 3, *function])) == (1, 2, 3, 5, 6, 7)
    # Room for the includes or for offset, not both: the includes win.
    assert f_window(cost(source, [2, 3, *function])) == (2, 3, 5, 6, 7)
    # Room for offset alone: an include goes in first and takes it.
    assert f_window(cost(source, [1, *function])) == (2, 5, 6, 7)
    assert f_window(cost(source, function)) == (5, 6, 7)


def block(i: int) -> list[str]:
    """Statements of several shapes, some spanning lines, that a cut must not split."""
    return [
        f"    long long t{i} = values[{i} % n] * {i}",
        f"        + values[({i} + 1) % n]",
        f"        - values[({i} + 2) % n];",
        f"    if (t{i} > total) {{",
        f"        total = t{i};",
        "    } else {",
        f"        total -= t{i} % 7;",
        "    }",
        f"    for (int j = 0; j < n; j++) total += values[j] ^ {i}; total %= 1000003;",
        f"    // block {i} done",
    ]


LONG_MAIN = "\n".join(
    [
        "#include <cstdio>",
        "#include <vector>",
        "using namespace std;",
        "int main() {",
        "    int n = 0;",
        '    if (scanf("%d", &n) != 1) return 1;',
        "    vector<long long> values(n + 3);",
        "    long long total = 0;",
        *[line for i in range(12) for line in block(i)],
        '    printf("%lld\\n",',
        "           total);",
        "    return 0;",
        "}",
        "",
    ]
)


@pytest.mark.parametrize("numbered", [True, False])
@pytest.mark.parametrize("budget", [30, 45, 60, 80, 120, 200, 400])
def test_a_long_function_is_cut_between_statements_under_its_head(budget: int, numbered: bool) -> None:
    found = windows(LONG_MAIN, budget, count, numbered)
    check(LONG_MAIN, found, budget, numbered)
    assert len(found) > 1
    loops = {(a, b) for a, b, kind in statement_spans(LONG_MAIN) if kind in ("for_statement", "while_statement")}
    for w in found:
        assert w.label in ("part of main", "loop in main"), w
        assert 4 in w.lines, w  # int main() {
        if w.label == "loop in main":
            assert (w.first, w.last) in loops, w  # exactly one loop statement, nothing beside it
    # The focuses are disjoint, in file order.
    for a, b in pairwise(found):
        assert a.last < b.first, (a, b)


def test_every_statement_of_a_long_function_is_in_some_focus() -> None:
    budget = 80  # every statement fits alone under the head
    found = windows(LONG_MAIN, budget, count)
    focus = {n for w in found for n in range(w.first, w.last + 1)}
    parsed = Parsed(LONG_MAIN)
    main = next(n for n in parsed.walk() if n.type == "function_definition")
    body = main.child_by_field_name("body")
    assert body is not None
    statements = body.named_children
    assert len(statements) > 40
    for statement in statements:
        assert statement.start_point.row + 1 in focus and statement.end_point.row + 1 in focus, parsed.text(statement)
    # Windows are full: two neighbours' focuses would not fit together.
    for a, b in pairwise(found):
        assert cost(LONG_MAIN, sorted({4} | set(range(a.first, b.last + 1)))) > budget


def test_statements_sharing_a_line_are_never_parted() -> None:
    """A cut goes between lines: two statements that share one stay together, or are left out together."""
    source = "\n".join(
        [
            "int main() {",
            "    long long t = f(1,",
            "                    2,",
            "                    3); for (int k = 0; k < 3; k++) {",
            "        t += k;",
            "        t *= 2;",
            "    }",
            "    return (int)t;",
            "}",
        ]
    )
    together = cost(source, range(1, 8))
    for budget in range(cost(source, [1, 4, 5, 6, 7]), together + 1):
        found = windows(source, budget, count)
        check(source, found, budget)
        for w in found:
            assert not w.first <= 4 <= w.last or (w.first <= 2 and w.last >= 7), (budget, w)
    assert any(w.first == 2 and w.last >= 7 for w in windows(source, together, count))


def nest(inner_lines: int) -> str:
    inner = [f"            s += grid[i][j] * {k} + (i ^ {k});" for k in range(inner_lines)]
    return "\n".join(
        [
            "#include <cstdio>",
            "int grid[64][64];",
            "int main()",
            "{",
            "    long long s = 0;",
            "    for (int i = 0; i < 64; i++)",
            "    {",
            "        s += i;",
            "        for (int j = 0;",
            "             j < 64; j++) {",
            *inner,
            "        }",
            "        s -= i;",
            "    }",
            '    printf("%lld\\n", s);',
            "}",
            "",
        ]
    )


def test_a_loop_nest_too_long_for_a_window_is_opened_under_every_head() -> None:
    source = nest(30)
    found = windows(source, 80, count)
    check(source, found, 80)
    inner = [w for w in found if w.first >= 11 and w.last <= 40]
    assert len(inner) >= 3
    heads = {3, 4, 6, 7, 9, 10}  # main's head and brace, the outer loop's, the inner loop's two lines
    for w in inner:
        assert heads <= set(w.lines), w
        assert w.label == "part of main"
    # Every line of the inner loop's body is in some focus.
    assert set(range(11, 41)) <= {n for w in inner for n in range(w.first, w.last + 1)}


def test_a_loop_that_fits_alone_is_a_loop_nest() -> None:
    source = nest(6)
    loop = list(range(6, 20))  # the outer loop, whole
    budget = cost(source, [3, 4, *loop]) + 1  # no statement beside it fits too
    found = windows(source, budget, count)
    check(source, found, budget)
    labels = {(w.first, w.last): w.label for w in found}
    assert labels[(6, 19)] == "loop in main"
    assert [w.label for w in found].count("loop in main") == 1
    # With the printf beside it, the run is more than a loop.
    budget = cost(source, [3, 4, *loop, 20])
    found = windows(source, budget, count)
    check(source, found, budget)
    assert {(w.first, w.last): w.label for w in found}[(6, 20)] == "part of main"


def test_an_if_too_long_for_a_window_is_opened_in_each_branch() -> None:
    """The else and else-if branches are windows too, under their own heads."""
    branch = [f"            s += {k} * x;" for k in range(12)]
    source = "\n".join(
        [
            "int f(int x) {",
            "    int s = 0;",
            "    if (x == 0) {",
            "        s = 1;",
            "    } else if (x == 1) {",
            *branch,
            "    } else {",
            *branch,
            "    }",
            "    return s;",
            "}",
        ]
    )
    found = windows(source, 60, count)
    check(source, found, 60)
    focus = {n for w in found for n in range(w.first, w.last + 1)}
    assert {4, *range(6, 18), *range(19, 31)} <= focus
    for w in found:
        if 6 <= w.first <= 17:
            assert {1, 5} <= set(w.lines), w  # under `} else if (x == 1) {`
        if w.first >= 19 and w.last <= 30:
            assert {1, 18} <= set(w.lines), w  # under `} else {`


def test_labels_name_the_function() -> None:
    source = "\n".join(
        [
            "#include <cstdio>",
            "struct Seg {",
            "    int n = 0;",
            "    int size() const;",
            "    int query(int l) {",
            "        return l + n;",
            "    }",
            "    bool operator<(const Seg& o) const { return n < o.n; }",
            "};",
            "int Seg::size() const {",
            "    return n;",
            "}",
            "namespace util {",
            "int twice(int x) {",
            "    return 2 * x;",
            "}",
            "}",
            "int main() {",
            *[f'    printf("%d\\n", {i});' for i in range(30)],
            "}",
        ]
    )
    found = windows(source, 60, count)
    check(source, found, 60)
    labels = [w.label for w in found]
    assert labels[:4] == ["function query", "function operator<", "function Seg::size", "function twice"]
    assert set(labels[4:]) == {"part of main"}


def test_a_template_s_line_belongs_to_its_function() -> None:
    body = [f"    s += x * {k};" for k in range(20)]
    source = "\n".join(
        [
            "#include <cstdio>",
            "template <class T>",
            "T twice(T x) {",
            "    return x + x;",
            "}",
            "template <class T>",
            "T many(T x) {",
            "    T s = 0;",
            *body,
            "    return s;",
            "}",
            "int main() {",
            '    printf("%d\\n", many(twice(1)));',
            "}",
        ]
    )
    found = windows(source, 50, count)
    check(source, found, 50)
    twice = by_label(found, "function twice")
    assert (twice.first, twice.last) == (2, 5)
    parts = [w for w in found if w.label == "part of many"]
    assert len(parts) > 1
    for w in parts:
        assert {6, 7} <= set(w.lines), w  # `template <class T>` and `T many(T x) {`


def windows_at(first: int, last: int) -> Window:
    return Window(tuple(range(first, last + 1)), first, last, f"lines {first}")


def test_ranked_puts_the_hottest_focus_first_and_keeps_file_order_otherwise() -> None:
    found = [windows_at(1, 5), windows_at(10, 20), windows_at(30, 40), windows_at(50, 60)]
    profile = Profile({3: 10, 15: 50, 25: 100, 35: 40})  # line 25 is in no focus
    assert [w.first for w in ranked(found, profile)] == [10, 30, 1, 50]
    assert found[1].share(profile) == pytest.approx(50 / 200)
    assert found[3].share(profile) == 0.0
    # Ties keep file order.
    assert [w.first for w in ranked(found, Profile({15: 7, 35: 7}))] == [10, 30, 1, 50]
    # No profile, or one that counted nothing: file order, and no share.
    for none in (None, Profile({}), Profile({4: 0})):
        assert ranked(found, none) == found
        assert found[0].share(none) is None
    assert ranked(found[::-1], None) == found[::-1]  # file order is the order given


def test_ranked_windows_of_a_real_file_follow_its_hot_loop() -> None:
    source = nest(30)
    found = windows(source, 80, count)
    hot = 25  # a line of the inner loop's body
    profile = Profile({n: 1 for n in range(1, 45)} | {hot: 10_000})
    top = ranked(found, profile)[0]
    assert top.first <= hot <= top.last
    assert top.share(profile) == pytest.approx(sum(profile.lines[n] for n in range(top.first, top.last + 1)) / 10_043)


def test_describe() -> None:
    assert Window((1, 4), 4, 4, "part of main").describe() == "line 4 (part of main)"
    assert Window((3, 4, 5), 3, 5, "function f").describe() == "lines 3\u20135 (function f)"


def test_a_twenty_thousand_line_file_is_windowed() -> None:
    """Many functions and one huge main: planning is near linear, so this takes a second, not minutes."""
    functions = []
    for i in range(500):
        functions += [f"int f{i}(int x) {{", "    int s = 0;"]
        functions += [f"    s += x * {j} + g[{j}];" for j in range(16)]
        functions += ["    return s;", "}"]
    body = []
    for i in range(1000):
        body += [f"    for (int i{i} = 0; i{i} < n; i{i}++) {{"]
        body += [f"        s += i{i} * {j};" for j in range(8)]
        body += ["    }"]
    source = "\n".join(
        ["#include <cstdio>", "int g[100];", *functions, "int main() {", "    long long s = 0, n = 10;", *body, "}", ""]
    )
    assert len(source.split("\n")) > 20_000
    found = windows(source, 256, count)
    assert sum(w.label.startswith("function f") for w in found) == 500
    assert sum(w.label in ("part of main", "loop in main") for w in found) > 100
    budget_ok = [cost(source, w.lines) <= 256 for w in found]
    assert all(budget_ok)


REALISTIC = r"""#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <queue>
#include <string>
#include <vector>
using namespace std;

typedef long long ll;
const int MAXN = 200005;
const ll INF = 1e18;
int n, m, q;
vector<pair<int, ll>> adj[MAXN];
ll dist[MAXN];
int parent[MAXN], depth_of[MAXN];
map<string, int> names;

struct Edge {
    int u, v;
    ll w;
    bool operator<(const Edge& other) const { return w < other.w; }
};

int find_root(int x) {
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

bool unite(int a, int b) {
    a = find_root(a);
    b = find_root(b);
    if (a == b) return false;
    if (depth_of[a] < depth_of[b]) swap(a, b);
    parent[b] = a;
    if (depth_of[a] == depth_of[b]) depth_of[a]++;
    return true;
}

void dijkstra(int source) {
    for (int i = 0; i < n; i++) dist[i] = INF;
    priority_queue<pair<ll, int>, vector<pair<ll, int>>, greater<pair<ll, int>>> pq;
    dist[source] = 0;
    pq.push({0, source});
    while (!pq.empty()) {
        auto [d, u] = pq.top();
        pq.pop();
        if (d > dist[u]) continue;
        for (auto [v, w] : adj[u]) {
            if (dist[u] + w < dist[v]) {
                dist[v] = dist[u] + w;
                pq.push({dist[v], v});
            }
        }
    }
}

ll kruskal(vector<Edge> edges) {
    sort(edges.begin(), edges.end());
    for (int i = 0; i < n; i++) {
        parent[i] = i;
        depth_of[i] = 0;
    }
    ll total = 0;
    for (const Edge& e : edges) {
        if (unite(e.u, e.v)) {
            total += e.w;
        }
    }
    return total;
}

string describe(ll value) {
    if (value >= INF) return "unreachable";
    string out = to_string(value);
    int digits = out.size();
    string grouped;
    for (int i = 0; i < digits; i++) {
        if (i > 0 && (digits - i) % 3 == 0) grouped += ',';
        grouped += out[i];
    }
    return grouped;
}

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    cin >> n >> m >> q;
    vector<Edge> edges;
    for (int i = 0; i < m; i++) {
        string a, b;
        ll w;
        cin >> a >> b >> w;
        if (!names.count(a)) {
            int id = names.size();
            names[a] = id;
        }
        if (!names.count(b)) {
            int id = names.size();
            names[b] = id;
        }
        int u = names[a], v = names[b];
        adj[u].push_back({v, w});
        adj[v].push_back({u, w});
        edges.push_back({u, v, w});
    }
    ll mst = kruskal(edges);
    cout << "mst " << describe(mst) << "\n";
    vector<ll> answers;
    for (int t = 0; t < q; t++) {
        string kind;
        cin >> kind;
        if (kind == "dist") {
            string a, b;
            cin >> a >> b;
            if (!names.count(a) || !names.count(b)) {
                answers.push_back(-1);
                continue;
            }
            dijkstra(names[a]);
            ll d = dist[names[b]];
            answers.push_back(d >= INF ? -1 : d);
        } else if (kind == "sum") {
            ll s = 0;
            for (int i = 0; i < n; i++) {
                for (auto [v, w] : adj[i]) {
                    if (i < v) s += w;
                }
            }
            answers.push_back(s);
        } else if (kind == "count") {
            answers.push_back(names.size());
        } else {
            int best = 0;
            for (int i = 0; i < n; i++) {
                if (adj[i].size() > adj[best].size()) best = i;
            }
            answers.push_back(best);
        }
    }
    ll checksum = 0;
    for (size_t i = 0; i < answers.size(); i++) {
        checksum = (checksum * 31 + answers[i]) % 1000000007;
        if (i < 10) cout << answers[i] << "\n";
    }
    cout << "checksum " << checksum << "\n";
    vector<int> degree(n);
    for (int i = 0; i < n; i++) degree[i] = adj[i].size();
    sort(degree.rbegin(), degree.rend());
    for (int i = 0; i < min(n, 5); i++) cout << degree[i] << " ";
    cout << "\n";
    return 0;
}
"""


@pytest.mark.parametrize("numbered", [True, False])
@pytest.mark.parametrize("budget", [128, 256])
def test_windows_fit_the_real_tokenizer_s_budget(budget: int, numbered: bool) -> None:
    """Planning counts each line alone; the model reads them joined, with its special tokens."""
    if not TOKENIZER.is_dir():
        pytest.skip(f"no CodeT5 tokenizer at {TOKENIZER}")
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(TOKENIZER))

    def real(lines: list[str]) -> list[int]:
        return [len(tok(line + "\n", add_special_tokens=False).input_ids) for line in lines]

    assert len(tok(REALISTIC).input_ids) > 2 * budget
    found = windows(REALISTIC, budget, real, numbered)
    assert len(found) > 5
    lines = REALISTIC.split("\n")
    for w in found:
        assert len(tok(render(lines, w.lines, numbered)).input_ids) <= budget, w
    check_cuts = [w for w in found if w.label.startswith(("part of", "loop in"))]
    assert check_cuts  # main at least is cut
    spans = statement_spans(REALISTIC)
    for w in check_cuts:
        assert not any(a < w.first <= b < w.last or w.first < a <= w.last < b for a, b, _ in spans), w
