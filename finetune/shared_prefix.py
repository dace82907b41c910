"""LoRA training that reuses the keys/values of the prompt prefix every example of a role shares (CPU runs).

Every training prompt of a role starts with the same system prompt and tool schemas (~1,000 tokens for the
customer, ~2,500 for the operator); the part that differs (the question and the reply) is ~60 tokens. On a
CPU, running the whole sequence forward and backward for each example costs minutes; here the shared
prefix runs once per optimizer step, without gradients, through the current (LoRA) weights, and each
example runs only its own tokens on top of those keys/values. The forward pass is exact; the gradient
leaves out the path through the prefix's keys/values (a truncated gradient), which is what makes a run on
a busy two-core CPU ~10x cheaper. GPUs use the plain TRL path (finetune/train.py).
"""

from __future__ import annotations

import copy
import json
import math
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent.llm.runtime import common_prefix_length


@dataclass
class PrefixGroup:
    """Examples that share one prompt prefix: the prefix ids, then each example's own ids and labels."""

    prefix: list[int]
    suffixes: list[tuple[list[int], list[int]]]  # (input ids, labels with -100 where no loss)


def group_by_prefix(rows: list[dict[str, Any]], roles: list[str]) -> dict[str, PrefixGroup]:
    """Rows (input_ids, completion_mask) of each role split at the prefix all of that role's rows share."""
    groups: dict[str, PrefixGroup] = {}
    for role in sorted(set(roles)):
        mine = [row for row, r in zip(rows, roles) if r == role]
        length = min(len(row["input_ids"]) for row in mine) - 1
        for row in mine[1:]:
            length = min(length, common_prefix_length(mine[0]["input_ids"], row["input_ids"]))
        # Never let the prefix reach into a completion: the loss needs those positions.
        length = min(length, *(row["completion_mask"].index(1) for row in mine))
        suffixes = []
        for row in mine:
            ids, mask = row["input_ids"][length:], row["completion_mask"][length:]
            suffixes.append((ids, [t if m else -100 for t, m in zip(ids, mask)]))
        groups[role] = PrefixGroup(mine[0]["input_ids"][:length], suffixes)
    return groups


def prefix_cache(model: Any, prefix: list[int]) -> Any:
    """Keys/values of `prefix` through the current weights, without gradients."""
    import torch
    from transformers import DynamicCache

    cache = DynamicCache(config=model.config)
    if prefix:
        with torch.no_grad():
            model(input_ids=torch.tensor([prefix], device=model.device), past_key_values=cache,
                  use_cache=True, logits_to_keep=1)
    return cache


def _example_loss(model: Any, cache: Any, ids: list[int], labels: list[int]) -> Any:
    import torch

    out = model(
        input_ids=torch.tensor([ids]), labels=torch.tensor([labels]), past_key_values=copy.deepcopy(cache),
        use_cache=True
    )
    return out.loss


def evaluate_loss(model: Any, groups: dict[str, PrefixGroup]) -> float:
    """Mean completion-token loss over every example (exact: no gradients are involved)."""
    import torch

    losses = []
    was_training = model.training
    model.eval()
    with torch.no_grad():
        for group in groups.values():
            cache = prefix_cache(model, group.prefix)
            losses += [float(_example_loss(model, cache, ids, labels)) for ids, labels in group.suffixes]
    model.train(was_training)  # the runtime's model stays in eval mode
    return sum(losses) / max(1, len(losses))


def plan_steps(
    groups: dict[str, PrefixGroup], grad_accum: int, epochs: float, max_steps: int, seed: int
) -> list[tuple[str, list[int]]]:
    """Optimizer steps as (role, example indices): one role a step, so its prefix runs once per step."""
    rng = random.Random(seed)
    chunks = []
    for role, group in groups.items():
        order = list(range(len(group.suffixes)))
        rng.shuffle(order)
        chunks += [(role, order[i : i + grad_accum]) for i in range(0, len(order), grad_accum)]
    rng.shuffle(chunks)
    total = max_steps if max_steps > 0 else math.ceil(epochs * len(chunks))
    return [chunks[i % len(chunks)] for i in range(total)]


@dataclass
class LoopResult:
    steps: int
    losses: list[float]
    eval_loss: float | None


def train_loop(
    model: Any,
    train: dict[str, PrefixGroup],
    evaluation: dict[str, PrefixGroup],
    output_dir: Path,
    *,
    learning_rate: float,
    grad_accum: int,
    epochs: float,
    max_steps: int,
    warmup_steps: int,
    eval_steps: int,
    save_steps: int,
    seed: int,
    resume: bool,
) -> LoopResult:
    """AdamW + cosine schedule over `plan_steps`; progress.jsonl, checkpoints (adapter + optimizer),
    resume."""
    import torch
    from peft import set_peft_model_state_dict
    from peft.utils import load_peft_weights
    from tqdm import tqdm
    from transformers import get_cosine_schedule_with_warmup

    plan = plan_steps(train, grad_accum, epochs, max_steps, seed)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=learning_rate, weight_decay=0.0)
    scheduler = get_cosine_schedule_with_warmup(optimizer, warmup_steps, len(plan))
    start, losses = 0, []
    checkpoints = sorted(output_dir.glob("checkpoint-*"), key=lambda p: int(p.name.split("-")[1]))
    if resume and checkpoints:
        last = checkpoints[-1]
        set_peft_model_state_dict(model, load_peft_weights(str(last)))
        state = torch.load(last / "loop_state.pt", weights_only=False)
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        start, losses = state["step"], state["losses"]
    progress_log = output_dir / "progress.jsonl"
    started = time.perf_counter()
    model.train()
    eval_loss = None
    bar = tqdm(range(start, len(plan)), desc="LoRA steps", initial=start, total=len(plan))
    for step in bar:
        role, indices = plan[step]
        group = train[role]
        cache = prefix_cache(model, group.prefix)
        total = 0.0
        for index in indices:
            ids, labels = group.suffixes[index]
            loss = _example_loss(model, cache, ids, labels) / len(indices)
            loss.backward()
            total += float(loss.detach())
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
        losses.append(total)
        row: dict[str, Any] = {"step": step + 1, "max_steps": len(plan), "role": role,
                               "loss": round(total, 4), "lr": scheduler.get_last_lr()[0],
                               "elapsed_s": round(time.perf_counter() - started, 1)}
        if eval_steps > 0 and (step + 1) % eval_steps == 0:
            eval_loss = row["eval_loss"] = round(evaluate_loss(model, evaluation), 4)
        bar.set_postfix(loss=f"{total:.3f}")
        with open(progress_log, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(row) + "\n")
        if save_steps > 0 and (step + 1) % save_steps == 0 and step + 1 < len(plan):
            checkpoint = output_dir / f"checkpoint-{step + 1}"
            model.save_pretrained(str(checkpoint))
            torch.save({"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
                        "step": step + 1, "losses": losses}, checkpoint / "loop_state.pt")
    eval_loss = evaluate_loss(model, evaluation) if evaluation else None
    return LoopResult(len(plan), losses, eval_loss)
