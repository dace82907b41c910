"""Fit the decision heads of a model + adapter: which tool (or none) a reply to a question should take, and
which (or none) the reply right after tool results should take.

Each role's training dialogues are rendered exactly as the agent renders the prompt of the reply to the
dialogue's last question (its only one, or a follow-up's second, with the first exchange before it); the
model (with the adapter merged, as the runtime loads it) runs each prompt once, and one layer's output at
the prompt's last token is kept. A multinomial logistic regression per role (its tools plus "answer") is
fitted on those states and checked on the validation dialogues; the heads are saved into the adapter
folder, where the runtime finds them (agent/llm/decision_head.py). A second head per role is fitted the
same way on the prompts right after each round of tool results of that reply (`result_views`): a plan's
next step (its second call, which uses what the first found) or "answer"; dialogues without such
rounds add none, and a role whose rounds all end the same way gets no such head.

    python -m finetune.decision_head --adapter finetune/adapters/qwen2.5-coder-0.5b-shop
    python -m finetune.decision_head --adapter .chronotope/finetune/runs/cpu-0.5b/adapter --layer 12
    python -m finetune.decision_head --adapter /tmp/a --train-file t.jsonl --states-out /tmp/states.pt

`--states-out` keeps the hidden states, labels and dialogue ids, so other classifiers can be compared on the
same states (finetune/head_comparison.py).

On this 2-core CPU the 0.5B needs ~0.5 s per prompt (the role's shared prompt prefix runs once): the
2,105 dialogues of `chronotope finetune prepare` took 18.7 min before the heads after tool results, which add
one prompt per round of tool results (about two thirds of the dialogues have one).
"""

from __future__ import annotations

import argparse
import copy
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from agent.config import Settings, get_settings
from agent.llm.decision_head import ANSWER, QUESTION, RESULT, DecisionHead, DecisionHeads, last_hidden_state
from finetune.data import Dialogue, read_dialogues

C = 0.1  # inverse L2 strength of the logistic regression (on standardized features)


class DecisionHeadError(ValueError):
    """Inputs the heads cannot be fitted on."""


@dataclass(frozen=True)
class RoleFit:
    """How one role's head was fitted and how it did on held-out dialogues."""

    role: str
    labels: list[str]
    train_examples: int
    validation_examples: int
    validation_accuracy: float | None
    point: str = QUESTION  # the reply the head decides (agent/llm/decision_head.py)


def decision_turn(dialogue: Dialogue) -> int:
    """Index (among the dialogue's assistant turns) of the reply to its last question."""
    roles = [m["role"] for m in dialogue.messages]
    last_question = max((i for i, role in enumerate(roles) if role == "user"), default=None)
    if last_question is None or "assistant" not in roles[last_question:]:
        raise DecisionHeadError(f"Dialogue {dialogue.conversation_id} has no question with a reply.")
    return roles[:last_question].count("assistant")


def decision_view(dialogue: Dialogue) -> Dialogue:
    """The dialogue as the agent's prompt holds it at the last question, ending with the reply to it: earlier
    turns keep only the questions and final answers (agent/graph.py drops their calls and results)."""
    from agent.graph import HISTORY_MESSAGES

    messages = dialogue.messages
    last_question = max(i for i, m in enumerate(messages) if m["role"] == "user")
    reply = next(m for m in messages[last_question:] if m["role"] == "assistant")
    system = [m for m in messages[:1] if m["role"] == "system"]
    history = [m for m in messages[len(system):last_question]
               if m["role"] == "user" or (m["role"] == "assistant" and not m.get("tool_calls"))]
    return replace(dialogue, messages=[*system, *history[-HISTORY_MESSAGES:], messages[last_question], reply])


def decision_label(dialogue: Dialogue) -> str:
    """The tool the reply to the dialogue's last question calls first, or ANSWER."""
    replies = [m for m in dialogue.messages if m["role"] == "assistant"]
    return reply_label(replies[decision_turn(dialogue)])


def reply_label(reply: dict[str, Any]) -> str:
    """The tool an assistant message calls first, or ANSWER."""
    calls = reply.get("tool_calls") or []
    return calls[0].get("function", calls[0])["name"] if calls else ANSWER


def result_views(dialogue: Dialogue) -> list[Dialogue]:
    """The dialogue as the agent's prompt holds it right after each round of tool results of the reply to its
    last question, each ending with the reply that follows that round (a further call, or the answer)."""
    view = decision_view(dialogue).messages  # ... the last question, and the first reply to it
    messages = dialogue.messages
    last_question = max(i for i, m in enumerate(messages) if m["role"] == "user")
    reply = next(i for i in range(last_question, len(messages)) if messages[i]["role"] == "assistant")
    turn = messages[reply + 1:]
    views, done = [], list(view)
    for i, message in enumerate(turn):
        if message["role"] == "assistant" and i and turn[i - 1]["role"] == "tool":
            views.append(replace(dialogue, messages=[*done, message]))
        done.append(message)
    return views if view[-1].get("tool_calls") else []


def default_layer(model: Any) -> int:
    """Three quarters of the way up the decoder (layer 18 of Qwen2.5-0.5B's 24): past the lexical layers,
    before the last ones turn to the next token's spelling."""
    from agent.llm.decision_head import decoder_layers

    count = len(decoder_layers(model))
    return max(1, min(count - 1, round(0.75 * count)))


@contextmanager
def up_to_layer(model: Any, layer: int) -> Iterator[None]:
    """Within the block the decoder runs only its first `layer` layers: the heads read no further, and the
    layers above cost a quarter of the time for nothing."""
    import torch

    from agent.llm.decision_head import decoder_layers

    decoder, layers = model.get_decoder(), decoder_layers(model)
    decoder.layers = torch.nn.ModuleList(layers[:layer])
    try:
        yield
    finally:
        decoder.layers = layers


def prompt_states(
    loaded: Any, views: list[Dialogue], tools: list[dict[str, Any]], layer: int, desc: str
) -> Any:
    """[views, hidden] states at the last token of each view's prompt (one role's): the prompt of the reply
    each view ends with (`decision_view`, `result_views`)."""
    import torch
    from tqdm import tqdm

    from agent.llm.runtime import common_prefix_length
    from agent.llm.template import tool_template
    from finetune.render import training_pairs
    from finetune.shared_prefix import prefix_cache

    model, tokenizer = loaded.model, loaded.tokenizer
    template = tool_template(tokenizer)
    prompts = [
        tokenizer(training_pairs(view, tokenizer, tools, template)[-1].prompt,
                  add_special_tokens=False)["input_ids"]
        for view in views
    ]
    shared = min(min(common_prefix_length(prompts[0], p) for p in prompts), min(len(p) for p in prompts) - 1)
    states = []
    with torch.inference_mode(), last_hidden_state(model, layer) as hidden, up_to_layer(model, layer):
        prefix = prefix_cache(model, prompts[0][:shared])
        for ids in tqdm(prompts, desc=desc, unit="prompt"):
            model(input_ids=torch.tensor([ids[shared:]], device=model.device),
                  past_key_values=copy.deepcopy(prefix), use_cache=True, logits_to_keep=1)
            states.append(hidden[-1].float().cpu())
    return torch.stack(states)


def fit_head(states: Any, labels: list[str], layer: int, c: float = C) -> DecisionHead:
    """A multinomial logistic regression on standardized states, folded into one linear map of raw states."""
    import numpy as np
    import torch
    from sklearn.linear_model import LogisticRegression

    classes = sorted(set(labels))
    if len(classes) < 2:
        raise DecisionHeadError("A decision head needs at least two kinds of first reply; "
                                f"the data has only {classes}.")
    x = states.numpy().astype(np.float64)
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    model = LogisticRegression(C=c, max_iter=5000).fit((x - mean) / scale, labels)
    coef, intercept = model.coef_, model.intercept_
    if len(classes) == 2:  # sklearn keeps one row for two classes: scores of (0, row)
        coef, intercept = np.vstack([np.zeros_like(coef), coef]), np.concatenate([[0.0], intercept])
    weight = coef / scale
    bias = intercept - weight @ mean
    return DecisionHead(layer, tuple(model.classes_), torch.tensor(weight, dtype=torch.float32),
                        torch.tensor(bias, dtype=torch.float32))


def fit_decision_heads(
    settings: Settings, adapter: Path, train_path: Path, validation_path: Path | None,
    layer: int | None = None, c: float = C, states_out: Path | None = None,
    max_result_views: int | None = None,
) -> tuple[DecisionHeads, list[RoleFit]]:
    """Fit one head per role on `train_path`'s decisions, score them on `validation_path`, save them (and,
    with `states_out`, the hidden states they were fitted and scored on). `max_result_views` caps each role's
    prompts after tool results (`sample_result_views`)."""
    import torch

    from agent.llm.load import load_model
    from finetune.shop import shop_profile
    from tools.agent_tools import build_registry

    if not (adapter / "adapter_config.json").is_file():
        raise DecisionHeadError(f"{adapter} is not an adapter folder (no adapter_config.json); "
                                "heads belong to one.")
    if not train_path.is_file():
        raise DecisionHeadError(f"No dialogues at {train_path}; run `chronotope finetune prepare` first.")
    loaded = load_model(replace(settings.model_options(), adapter=str(adapter), decision_heads=False))
    layer = layer if layer is not None else default_layer(loaded.model)
    registry = build_registry(None, profile=shop_profile(settings.store_path))
    train = read_dialogues(train_path)
    validation = read_dialogues(validation_path) if validation_path and validation_path.is_file() else []
    heads, fits, kept = [], [], {}
    for role in ("customer", "operator"):
        tools, names = registry.schemas(role), frozenset(t.name for t in registry.for_role(role))
        # Only dialogues whose tool choice is known: a transcript's agent looked the order up elsewhere and
        # replied in words, which as a label would teach "no tool" for "where is my order?".
        mine = [d for d in train if d.role == role and d.tool_choice_known]
        held = [d for d in validation if d.role == role and d.tool_choice_known]
        for point in (QUESTION, RESULT) if mine else ():
            views = _views(mine, point)
            if point == RESULT and max_result_views is not None:
                views = sample_result_views(views, max_result_views)
            labels = [reply_label(v.messages[-1]) for v in views]
            if point == RESULT and len(set(labels)) < 2:
                continue  # no round of results is followed by another call: the model decides there
            states = prompt_states(loaded, views, tools, layer, f"{role} {point} states")
            head = fit_head(states, labels, layer, c)
            if point == QUESTION and head.tools != names:
                raise DecisionHeadError(
                    f"The {role} data's first replies use {sorted(head.tools)}, not every {role} tool "
                    f"({sorted(names)}); a head must be able to choose each one. Prepare more data."
                )
            head = replace(head, point=point, tool_set=names if point == RESULT else frozenset())
            held_views = _views(held, point)
            held_labels = [reply_label(v.messages[-1]) for v in held_views]
            accuracy, held_states = None, None
            if held_views:
                held_states = prompt_states(loaded, held_views, tools, layer, f"{role} {point} validation")
                right = sum(head.decide(s) == label for s, label in zip(held_states, held_labels))
                accuracy = round(right / len(held_views), 4)
            if point == QUESTION:  # the states other classifiers are compared on (head_comparison.py)
                kept[role] = {"train": (states, labels, [d.conversation_id for d in mine])}
                if held_states is not None:
                    kept[role]["validation"] = (held_states, held_labels, [d.conversation_id for d in held])
            heads.append(head)
            fits.append(RoleFit(role, list(head.labels), len(views), len(held_views), accuracy, point))
    if not heads:
        raise DecisionHeadError(f"No customer or operator dialogues in {train_path}.")
    report = {"layer": layer, "c": c, "train_file": str(train_path), "roles": [asdict(f) for f in fits]}
    fitted = DecisionHeads(tuple(heads), report)
    fitted.save(adapter)
    if states_out is not None:
        torch.save({"layer": layer, "roles": kept}, states_out)
    return fitted, fits


def sample_result_views(views: list[Dialogue], limit: int, seed: int = 0) -> list[Dialogue]:
    """At most `limit` prompts after tool results: every one followed by another call (the rare label), then
    a seeded sample of those followed by the answer. Each such prompt holds a tool result, so it costs several
    times a question's prefill; most of them teach the same "answer"."""
    import random

    calls = [v for v in views if reply_label(v.messages[-1]) != ANSWER]
    answers = [v for v in views if reply_label(v.messages[-1]) == ANSWER]
    random.Random(seed).shuffle(answers)
    return calls[:limit] + answers[: max(0, limit - len(calls))]


def _views(dialogues: list[Dialogue], point: str) -> list[Dialogue]:
    """The prompts a head deciding at `point` is fitted on, each ending with the reply it should pick."""
    if point == QUESTION:
        return [decision_view(d) for d in dialogues]
    return [view for d in dialogues for view in result_views(d)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--adapter", type=Path, required=True,
                        help="Adapter folder; the heads are saved into it.")
    parser.add_argument("--train-file", type=Path,
                        help="Dialogues JSONL (default: <data_dir>/finetune/train.jsonl).")
    parser.add_argument("--validation-file", type=Path,
                        help="Held-out dialogues (default: .../validation.jsonl).")
    parser.add_argument("--layer", type=int,
                        help="Decoder layer whose output the heads read (default: 3/4 up).")
    parser.add_argument("--c", type=float, default=C, help="Inverse L2 regularisation strength.")
    parser.add_argument("--states-out", type=Path,
                        help="Also save the hidden states, labels and dialogue ids here (torch.save).")
    parser.add_argument("--max-result-views", type=int,
                        help="Cap each role's prompts after tool results (all the plans' next calls, then a "
                        "sample of answers; default: all).")
    args = parser.parse_args(argv)
    settings = get_settings()
    root = settings.data_dir / "finetune"
    try:
        _, fits = fit_decision_heads(
            settings, args.adapter, args.train_file or root / "train.jsonl",
            args.validation_file or root / "validation.jsonl", args.layer, args.c, args.states_out,
            args.max_result_views,
        )
    except DecisionHeadError as error:
        print(f"Error: {error}", file=sys.stderr)
        raise SystemExit(2) from error
    for fit in fits:
        print(f"{fit.role} ({fit.point}): {len(fit.labels)} labels, {fit.train_examples} train, "
              f"{fit.validation_examples} validation, validation accuracy {fit.validation_accuracy}")


if __name__ == "__main__":
    main()
