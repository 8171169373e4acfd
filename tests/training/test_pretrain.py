from __future__ import annotations

import json
import lzma
import random
from dataclasses import replace
from pathlib import Path

from training.config import Scale
from training.pretrain import span_corrupt, train
from training.pretrain_config import PretrainConfig

PROGRAMS = [
    '#include <cstdio>\nint main() { int n; scanf("%d", &n); printf("%d\\n", n * 2); return 0; }\n',
    "#include <iostream>\nusing namespace std;\nint main() { long long a, b; cin >> a >> b; cout << a + b << endl; }\n",
    "#include <vector>\n#include <algorithm>\n"
    "int main() { std::vector<int> v{3, 1, 2}; std::sort(v.begin(), v.end()); }\n",
    "int gcd(int a, int b) { return b == 0 ? a : gcd(b, a % b); }\nint main() { return gcd(12, 18) == 6 ? 0 : 1; }\n",
]


def fake_corpus(root: Path) -> Path:
    path = root / "cpp-corpus" / "corpus.jsonl.xz"
    path.parent.mkdir(parents=True)
    rows = [{"repo": "r", "path": f"{i}.cpp", "license": "MIT", "code": code} for i, code in enumerate(PROGRAMS * 4)]
    path.write_bytes(lzma.compress("".join(json.dumps(r) + "\n" for r in rows).encode()))
    return path


def test_span_corruption_hides_and_recovers_every_token() -> None:
    rng = random.Random(0)
    ids = list(range(10, 110))
    sentinels = [1000 - i for i in range(100)]
    source, target = span_corrupt(ids, sentinels, 1, rng, density=0.15, mean_span=3.0)
    assert source[-1] == 1 and target[-1] == 1
    hidden = [t for t in target[:-1] if t not in sentinels]
    kept = [t for t in source[:-1] if t not in sentinels]
    assert len(hidden) == 15
    assert sorted(hidden + kept) == ids
    # Reassemble: each sentinel in the source is replaced by its span from the target.
    spans: dict[int, list[int]] = {}
    current = None
    for t in target[:-1]:
        if t in sentinels:
            current = t
            spans[t] = []
        else:
            assert current is not None
            spans[current].append(t)
    rebuilt = [x for t in source[:-1] for x in (spans[t] if t in sentinels else [t])]
    assert rebuilt == ids


def test_tiny_pretraining_lowers_the_loss_and_resumes(tmp_path: Path) -> None:
    corpus = fake_corpus(tmp_path)
    config = replace(PretrainConfig.for_scale(Scale.TINY), corpus=corpus, out=tmp_path / "run", steps=40, log_every=5)
    ckpt = train(config)
    log = [json.loads(line) for line in (tmp_path / "run" / "log.jsonl").read_text().splitlines()]
    assert log[-1]["loss"] < log[0]["loss"] - 0.5
    assert json.loads((ckpt / "state.json").read_text())["step"] == 40
    assert (ckpt / "model.safetensors").exists()
    train(replace(config, steps=45))
    assert json.loads((ckpt / "state.json").read_text())["step"] == 45


def test_tiny_sft_learns_the_pairs(tmp_path: Path) -> None:
    from training.sft import train as sft_train
    from training.sft_config import SFTConfig

    corpus = fake_corpus(tmp_path)
    pretrain = replace(PretrainConfig.for_scale(Scale.TINY), corpus=corpus, out=tmp_path / "pre", steps=10)
    init = train(pretrain)
    slow = PROGRAMS[1]
    fast = slow.replace("endl", "'\\n'")
    pairs = tmp_path / "pairs.jsonl"
    rows = [
        {"problem_id": "p1", "slow": slow, "fast": fast, "split": "train"},
        {"problem_id": "p2", "slow": PROGRAMS[0], "fast": PROGRAMS[0].replace("n * 2", "n << 1"), "split": "valid"},
    ]
    pairs.write_text("".join(json.dumps(r) + "\n" for r in rows))
    config = replace(SFTConfig.for_scale(Scale.TINY), pairs=pairs, init=init, out=tmp_path / "sft", steps=30)
    ckpt = sft_train(config)
    log = [json.loads(line) for line in (tmp_path / "sft" / "log.jsonl").read_text().splitlines()]
    losses = [r["loss"] for r in log if "loss" in r]
    assert losses[-1] < losses[0] - 1.0
    assert any("valid_loss" in r for r in log)
    assert (ckpt / "model.safetensors").exists()


def test_a_finished_run_is_not_redone(tmp_path: Path) -> None:
    corpus = fake_corpus(tmp_path)
    config = replace(PretrainConfig.for_scale(Scale.TINY), corpus=corpus, out=tmp_path / "run", steps=5)
    ckpt = train(config)
    log = (tmp_path / "run" / "log.jsonl").read_text()
    # The corpus is not even read again: the pipeline reruns finished stages for free.
    assert train(replace(config, corpus=tmp_path / "gone.jsonl.xz")) == ckpt
    assert (tmp_path / "run" / "log.jsonl").read_text() == log
