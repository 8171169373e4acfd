"""The bench's figures, as PNG: speedup distribution, model vs human per program, and rates per RL step.

matplotlib is imported here only, with the Agg backend: no display is needed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def speedup_distribution(rows: list[dict[str, Any]], out: Path, label: str) -> Path:
    plt = _pyplot()
    values = [r["best_at_k"] for r in rows if "best_at_k" in r]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.hist(values, bins=20, color="#4477aa")
    ax.set_xlabel("best@k speedup (1.0: nothing correct and faster)")
    ax.set_ylabel("programs")
    ax.set_title(f"{label}: speedup over {len(values)} programs")
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


def model_vs_reference(rows: list[dict[str, Any]], out: Path, label: str) -> Path | None:
    pairs = [(r["reference_speedup"], r["best_at_k"]) for r in rows if "reference_speedup" in r and "best_at_k" in r]
    if not pairs:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 5))
    xs, ys = zip(*pairs, strict=True)
    ax.scatter(xs, ys, color="#228833")
    top = max(max(xs), max(ys), 1.5) * 1.05
    ax.plot([0, top], [0, top], color="grey", linestyle="--", linewidth=1)
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel("human reference speedup")
    ax.set_ylabel(f"{label} best@k speedup")
    ax.set_title("per program (above the diagonal: beats the human)", fontsize=10)
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


def rl_curve(log: Path, out: Path) -> Path | None:
    """Compile, pass and optimization rates per RL step from an RRHF log (the paper's Figure 2)."""
    steps, rates = [], {"compile": [], "pass": [], "opt": []}  # type: ignore[var-annotated]
    for line in log.read_text().splitlines():
        record = json.loads(line)
        valid = record.get("valid")
        if "rl_step" in record and isinstance(valid, dict):
            steps.append(record["rl_step"])
            for key in rates:
                rates[key].append(100 * float(valid.get(key, 0.0)))
    if not steps:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    for key, color in (("compile", "#4477aa"), ("pass", "#228833"), ("opt", "#ee6677")):
        ax.plot(steps, rates[key], marker="o", label=f"%{key}", color=color)
    ax.set_xlabel("RL step")
    ax.set_ylabel("% of validation candidates")
    ax.set_ylim(0, 100)
    ax.legend()
    ax.set_title("RRHF: validation rates per RL step")
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out
