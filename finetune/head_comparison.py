"""Compare decision-head classifiers on the same hidden states: the logistic head the runtime uses and
k-nearest neighbours, scored on held-out dialogues per role, language and style.

    python -m finetune.decision_head --adapter /tmp/a --train-file t.jsonl --validation-file v.jsonl \\
        --states-out /tmp/states.pt
    python -m finetune.head_comparison /tmp/states.pt --k 1 5 15 \\
        --heads finetune/adapters/qwen2.5-coder-0.5b-shop

Rows group the validation dialogues by role, by language and by style (synthetic dialogues carry both in
their ids; others count as "other"); each column is one classifier's share of right decisions. `--heads`
adds the heads saved in an adapter folder (fitted on other data, reading the same layer) as a column.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path
from typing import Any

from finetune.decision_head import C, fit_head
from finetune.synth import dialogue_tags


def knn_predictions(train: Any, labels: list[str], held: Any, k: int) -> list[str]:
    """Labels of `held` states by a distance-weighted vote of their `k` nearest training states (cosine on
    standardized states)."""
    from sklearn.neighbors import KNeighborsClassifier

    x = train.numpy()
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    model = KNeighborsClassifier(n_neighbors=min(k, len(labels)), metric="cosine", weights="distance")
    model.fit((x - mean) / scale, labels)
    return list(model.predict((held.numpy() - mean) / scale))


def predictions(
    states_file: Path, ks: list[int], c: float = C, saved_heads: Path | None = None
) -> list[dict[str, Any]]:
    """One row per validation dialogue: role, language, style, label, and each classifier's decision."""
    import torch

    from agent.llm.decision_head import ANSWER, DecisionHeads

    saved = torch.load(states_file, weights_only=False)
    other = DecisionHeads.load(saved_heads) if saved_heads is not None else None
    if saved_heads is not None and (other is None or {h.layer for h in other.heads} != {saved["layer"]}):
        raise ValueError(f"{saved_heads} has no decision heads reading layer {saved['layer']}, the states' "
                         "layer; pass an adapter folder whose heads were fitted at that layer.")
    rows = []
    for role, parts in saved["roles"].items():
        if "validation" not in parts:
            continue
        train, labels, _ = parts["train"]
        held, held_labels, ids = parts["validation"]
        head = fit_head(train, labels, saved["layer"], c)
        decided = {"logistic": [head.decide(s) for s in held]}
        decided |= {f"knn{k}": knn_predictions(train, labels, held, k) for k in ks}
        if other is not None:
            decided["saved"] = [other.nearest(set(labels) - {ANSWER}).decide(s) for s in held]
        for i, (label, conversation_id) in enumerate(zip(held_labels, ids)):
            language, style = dialogue_tags(conversation_id) or ("other", "other")
            rows.append({"role": role, "language": language, "style": style, "label": label,
                         **{name: choices[i] for name, choices in decided.items()}})
    if not rows:
        raise ValueError(f"{states_file} holds no validation states; fit with --validation-file.")
    return rows


def accuracy_table(rows: list[dict[str, Any]], classifiers: list[str]) -> list[tuple[str, int, list[float]]]:
    """(group, dialogues, accuracy per classifier) for all rows, then per role, language and style."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        for key in ("all", f"role={row['role']}", f"language={row['language']}", f"style={row['style']}"):
            groups[key].append(row)
    ordered = sorted(groups.items(), key=lambda item: (item[0] != "all", item[0]))
    return [(name, len(rows), [sum(r[c] == r["label"] for r in rows) / len(rows) for c in classifiers])
            for name, rows in ordered]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("states", type=Path, help="States saved by finetune.decision_head --states-out.")
    parser.add_argument("--k", type=int, nargs="+", default=[1, 5, 15], help="Neighbour counts to try.")
    parser.add_argument("--c", type=float, default=C, help="The logistic head's inverse L2 strength.")
    parser.add_argument("--heads", type=Path, help="Adapter folder whose saved heads to score too.")
    args = parser.parse_args(argv)
    classifiers = ["logistic", *(f"knn{k}" for k in args.k), *(["saved"] if args.heads else [])]
    table = accuracy_table(predictions(args.states, args.k, args.c, args.heads), classifiers)
    print(f"{'group':<22}{'n':>5}" + "".join(f"{name:>10}" for name in classifiers))
    for group, count, accuracies in table:
        print(f"{group:<22}{count:>5}" + "".join(f"{a:>10.3f}" for a in accuracies))


if __name__ == "__main__":
    main()
