"""A customer's follow-up calls the previous turn's tool (agent/first_reply.forced_tool): on the synthetic
training dialogues of random shops, nearly every customer turn it forces is labelled with that tool."""

from __future__ import annotations

import random

from langchain_core.messages import AIMessage, HumanMessage

from agent.first_reply import forced_tool
from finetune.synth.dialogues import synthesize
from finetune.synth.profiles import random_facts, random_profile
from tools.agent_tools import build_registry


def test_the_tools_forced_on_synthetic_follow_ups_are_the_labelled_ones() -> None:
    rng = random.Random(8)
    forced = {"customer": [0, 0], "operator": [0, 0]}  # role -> [forced, labelled with the forced tool]
    for _ in range(30):
        profile = random_profile(rng)
        registry = build_registry(None, profile=profile)
        for dialogue in synthesize(registry, random_facts(rng, profile), 40, seed=rng.randrange(2**31)):
            tools, messages, previous = registry.schemas(dialogue.role), [], None
            for i, message in enumerate(dialogue.messages):
                if message["role"] != "user":
                    continue
                label = next((r["tool_calls"][0]["function"]["name"] for r in dialogue.messages[i + 1:i + 2]
                              if r.get("tool_calls")), None)
                messages.append(HumanMessage(message["content"]))
                tool = forced_tool(messages, len(messages) - 1, tools, dialogue.role) if previous else None
                if tool:
                    forced[dialogue.role][0] += 1
                    forced[dialogue.role][1] += tool == label
                call = [{"name": label, "args": {}, "id": "c"}] if label else []
                messages.append(AIMessage("", tool_calls=call))
                previous = label
    customer, operator = forced["customer"], forced["operator"]
    assert customer[0] >= 30 and customer[1] / customer[0] >= 0.95, customer
    assert operator[0] >= 30 and operator[1] == operator[0], operator
