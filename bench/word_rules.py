"""Benchmark of the agent's word rules against the synthetic dialogues' labels (finetune/synth over random
shops, in five languages and many styles): the rules decide before or beside the model, so each must agree
with how the training data answers the same turns.

    .venv/bin/python bench/word_rules.py [--shops 30] [--dialogues 40] [--seed dev-check]

Prints, over the user turns of the dialogues:
- task words (agent/llm/named_tools.named_tool, on a message's first part as the agent reads it): on how
  many turns they name a tool, and on how many of those it is the labelled first tool;
- customers' requests for the shop's figures (agent/roles.asks_for_shop_data): true on how many customer
  turns labelled as refusals, and on how many labelled with a tool (should be none);
- two questions in one message (agent/multi_part.question_parts): split on how many turns answered with two
  calls or more, and on how many answered with one or none (should be none).
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo's `agent`, not bench/agent.py

from agent.llm.named_tools import named_tool
from agent.multi_part import question_parts
from agent.roles import asks_for_shop_data
from finetune.synth.dialogues import synthesize
from finetune.synth.profiles import random_facts, random_profile
from tools.agent_tools import build_registry


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shops", type=int, default=30)
    parser.add_argument("--dialogues", type=int, default=40, help="Dialogues per shop.")
    parser.add_argument("--seed", default="dev-check")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    counts = dict.fromkeys(("turns", "named", "named_agree", "customer_refusals", "customer_refusals_hit",
                            "customer_tool_turns", "customer_tool_turns_hit", "two_call_turns",
                            "two_call_split", "one_call_turns", "one_call_split"), 0)
    for _ in range(args.shops):
        profile = random_profile(rng)
        registry = build_registry(None, profile=profile)
        customer, operator = registry.schemas("customer"), registry.schemas("operator")
        for dialogue in synthesize(registry, random_facts(rng, profile), args.dialogues,
                                   seed=rng.randrange(2**31)):
            messages = dialogue.messages
            for i, asked in enumerate(messages):
                if asked["role"] != "user":
                    continue
                replies = []
                for reply in messages[i + 1:]:
                    if reply["role"] == "user":
                        break
                    replies.append(reply)
                calls = [c["function"]["name"] for r in replies for c in r.get("tool_calls") or []]
                text = asked["content"]
                counts["turns"] += 1
                named = named_tool(question_parts(text)[0], registry.schemas(dialogue.role))
                if named:
                    counts["named"] += 1
                    counts["named_agree"] += bool(calls) and named == calls[0]
                if dialogue.role == "customer":
                    key = "customer_tool_turns" if calls else "customer_refusals"
                    counts[key] += 1
                    counts[f"{key}_hit"] += asks_for_shop_data(text, customer, operator)
                key = "two_call_turns" if len(calls) >= 2 else "one_call_turns"
                counts[key] += 1
                counts[key.replace("turns", "split")] += len(question_parts(text)) > 1
    print(f"synthetic dialogues: {args.shops} shops x {args.dialogues}, seed {args.seed!r}; "
          f"{counts['turns']} user turns")
    print(f"task_words_named: {counts['named']} turns; labelled first tool: {counts['named_agree']} "
          f"({counts['named_agree'] / max(1, counts['named']):.3f})")
    print(f"shop_data_refused: {counts['customer_refusals_hit']} of {counts['customer_refusals']} customer "
          f"turns labelled as refusals; {counts['customer_tool_turns_hit']} of "
          f"{counts['customer_tool_turns']} labelled with a tool")
    print(f"two_questions_split: {counts['two_call_split']} of {counts['two_call_turns']} turns answered "
          f"with two calls or more; {counts['one_call_split']} of {counts['one_call_turns']} "
          "with one or none")


if __name__ == "__main__":
    main()
