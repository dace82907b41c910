"""Decision heads: pick a reply's tool (or a plain answer) from the model's hidden state, then decode.

A small model's first reply token is a poor judge of *whether* and *which* tool to call: after the prompt,
its choice between `<tool_call>` and text is close to noise even after LoRA training. Its hidden state at the
end of the prompt knows far more. A decision head is a linear classifier on that state (one layer's
output at the prompt's last token), one head per tool set (a role's tools), trained on the fine-tuning
data's first replies (`finetune/decision_head.py`). At a user's turn the runtime reads the state during
the prefill it runs anyway, the head picks a tool or "answer", and the reply is decoded under that
choice's grammar: the picked tool's schema (the model writes the arguments), or free text with no call.

A head decides at one point of a turn: the first reply to a user's message (QUESTION), or the calls-only
reply right after tool results (RESULT, where the agent composes the answer itself): the next step of a
plan whose second call needs the first one's finding ("forecast the region that spikes most": find_spikes,
then forecast_demand for the region found), or "answer" when the results suffice. The model alone rarely
takes that second step.

Heads live beside the adapter they were fitted on (`decision_heads.safetensors`): they read that model's
hidden states, so they are only valid with it.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ANSWER = "answer"  # the head's label for a reply without a tool call
QUESTION, RESULT = "question", "result"  # the points of a turn a head decides at
HEADS_FILE = "decision_heads.safetensors"


@dataclass(frozen=True)
class DecisionHead:
    """A linear classifier over one tool set: scores = weight @ hidden + bias, one row per label."""

    layer: int  # hidden_states index it reads: i is the output of decoder layer i (0 would be the embeddings)
    labels: tuple[str, ...]  # tool names and ANSWER
    weight: Any  # torch.Tensor [labels, hidden], float32 (feature scaling folded in)
    bias: Any  # torch.Tensor [labels]
    point: str = QUESTION  # the reply it decides: the first to a user, or the next after tool results
    # the tools bound when it was fitted, where its labels are fewer (a RESULT head knows only the next steps
    # its data took); empty: its labels' tools
    tool_set: frozenset[str] = frozenset()

    @property
    def tools(self) -> frozenset[str]:
        """The bound tools it decides for."""
        return self.tool_set or frozenset(self.labels) - {ANSWER}

    def decide(self, hidden: Any) -> str:
        """The label with the highest score for one hidden state ([hidden])."""
        scores = self.weight @ hidden.float().to(self.weight.device) + self.bias
        return self.labels[int(scores.argmax())]


@dataclass(frozen=True)
class DecisionHeads:
    """The heads fitted on one model (+ adapter)."""

    heads: tuple[DecisionHead, ...]
    report: dict[str, Any]  # how they were fitted (examples, validation accuracy, ...)

    def for_tools(self, names: Collection[str], point: str = QUESTION) -> DecisionHead | None:
        """The head deciding at `point` trained on exactly these tools, if any (a head cannot choose a tool
        it never saw)."""
        wanted = frozenset(names)
        return next((head for head in self.heads if head.point == point and head.tools == wanted), None)

    def nearest(self, names: Collection[str]) -> DecisionHead:
        """The QUESTION head whose tools differ least from `names` (what to compare with when none covers
        them)."""
        wanted = frozenset(names)
        return min((head for head in self.heads if head.point == QUESTION),
                   key=lambda head: len(head.tools ^ wanted))

    def save(self, folder: Path) -> Path:
        """Write `folder/decision_heads.safetensors` (atomically: a temp file renamed)."""
        from safetensors.torch import save_file

        tensors, layout = {}, []
        for i, head in enumerate(self.heads):
            tensors[f"head{i}.weight"] = head.weight.contiguous()
            tensors[f"head{i}.bias"] = head.bias.contiguous()
            layout.append({"layer": head.layer, "labels": list(head.labels), "point": head.point,
                           "tool_set": sorted(head.tool_set)})
        meta = {"heads": json.dumps(layout), "report": json.dumps(self.report)}
        path = folder / HEADS_FILE
        tmp = path.with_suffix(".tmp")
        save_file(tensors, str(tmp), metadata=meta)
        tmp.replace(path)
        return path

    @classmethod
    def load(cls, folder: Path) -> DecisionHeads | None:
        """The heads saved in `folder`, or None when it has none."""
        from safetensors import safe_open

        path = Path(folder).expanduser() / HEADS_FILE
        if not path.is_file():
            return None
        with safe_open(str(path), framework="pt") as handle:
            meta = handle.metadata()
            heads = tuple(  # files written before RESULT heads hold QUESTION heads only
                DecisionHead(int(head["layer"]), tuple(head["labels"]), handle.get_tensor(f"head{i}.weight"),
                             handle.get_tensor(f"head{i}.bias"), head.get("point", QUESTION),
                             frozenset(head.get("tool_set", ())))
                for i, head in enumerate(json.loads(meta["heads"]))
            )
        return cls(heads, json.loads(meta["report"]))


def decoder_layers(model: Any) -> Sequence[Any]:
    """The model's decoder blocks, in order (Qwen2, Llama and their kin keep them in `.layers`)."""
    layers = getattr(model.get_decoder(), "layers", None)
    if layers is None:
        raise ValueError(f"{type(model).__name__} keeps no `.layers` in its decoder; "
                         "decision heads need them.")
    return layers


@contextmanager
def last_hidden_state(model: Any, layer: int) -> Iterator[list[Any]]:
    """Within the block, forward passes record hidden_states[`layer`] at their last position (a list, newest
    last)."""
    layers = decoder_layers(model)
    # the last index of hidden_states is after the final norm, not a layer's output
    if not 1 <= layer < len(layers):
        raise ValueError(f"Decision heads read a decoder layer's output: layer 1 to {len(layers) - 1}, "
                         f"not {layer}.")
    seen: list[Any] = []

    def record(module: Any, args: Any, output: Any) -> None:
        hidden = output[0] if isinstance(output, tuple) else output
        seen.append(hidden[0, -1].detach())

    handle = layers[layer - 1].register_forward_hook(record)
    try:
        yield seen
    finally:
        handle.remove()
