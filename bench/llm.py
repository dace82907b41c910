"""Benchmark of the LLM runtime on the offline model: decode speed, prefix caching, constrained tool calls.

    nice .venv/bin/python bench/llm.py                              # Qwen2.5-Coder-0.5B (default)
    nice .venv/bin/python bench/llm.py --model qwen2.5-coder-1.5b --prompts 5

1. Decode tokens/s of `LocalChatModel` against plain `model.generate` (greedy) on the same prompt; both
   timed as (time for N tokens - time for 1 token) so the prefill cancels out. On the CPU, also plain
   `generate` with the float32 reference weights (`cpu_weights="fp32"`) against the default int8 decode
   layers, and how many of the greedy tokens the two agree on.
2. Prefill of the operator prompt (system prompt + the real operator tool schemas) cold, then for a new
   question with the shared prefix cached.
3. Tool calls on operator questions with and without the grammar: the share of replies holding at least one
   call that validates against its schema (jsonschema), the share choosing the expected tool, decode speed.

Prints `name: value unit` lines and ends with the decode-speed ratio against plain `generate`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
# The repo root first, so `agent` is the package and not bench/agent.py beside this script.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from langchain_core.messages import HumanMessage, SystemMessage

# (question, the tool an operator would expect)
TOOL_PROMPTS = [
    ("Which regions spike on Friday night?", "find_spikes"),
    ("Which cities get the most orders on Saturday between 18 and 22?", "find_spikes"),
    ("How did revenue change week over week per region?", "compare_periods"),
    ("What are the top 5 products by revenue in the last 30 days?", "top_items"),
    ("Forecast demand for electronics in Bavaria for the next 14 days.", "forecast_demand"),
    ("Should I reorder product P00042? We have 12 units and the supplier needs 7 days.", "reorder_advice"),
    ("Were there any unusual volume surges or outages recently?", "detect_anomalies"),
    ("Show me suspicious orders that look like card testing.", "detect_fraud"),
    ("What sells together with product P00007?", "recommend"),
    ("What is our return policy for opened items?", "search_docs"),
]
CODE_PROMPT = [
    SystemMessage("You are a helpful coding assistant."),
    HumanMessage(
        "Write a Python function that reads a CSV file of orders and returns total revenue per region, "
        "with a docstring, type hints and a unit test."
    ),
]


def line(name: str, value: float | str, unit: str = "") -> None:
    print(
        f"{name}: {value:.3f} {unit}".rstrip()
        if isinstance(value, float)
        else f"{name}: {value} {unit}".rstrip(),
        flush=True,
    )


def timed(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def decode_speed(runtime, tokens: int, repeats: int) -> tuple[float, float]:
    """(LocalChatModel tokens/s, plain generate tokens/s), best of `repeats`, prefill excluded."""
    from agent.llm.chat_model import LocalChatModel
    from agent.llm.reply_controls import ReplyControls

    chat = LocalChatModel(runtime=runtime, constrained=False, use_prefix_cache=False)
    local_rates, plain_rates = [], []
    for _ in range(repeats):
        plain_rates.append(plain_generate(runtime, tokens)[0])
        one = timed(lambda: chat.invoke(CODE_PROMPT, controls=ReplyControls(max_new_tokens=1)))
        reply = None

        def run_local() -> None:
            nonlocal reply
            reply = chat.invoke(CODE_PROMPT, controls=ReplyControls(max_new_tokens=tokens))

        elapsed = timed(run_local)
        produced = reply.usage_metadata["output_tokens"]
        local_rates.append((produced - 1) / (elapsed - one))
    return max(local_rates), max(plain_rates)


def plain_generate(runtime, tokens: int) -> tuple[float, list[int]]:
    """(tokens/s of plain greedy `generate` on CODE_PROMPT with the prefill timed out, the tokens)."""
    import torch

    from agent.llm.template import render_prompt

    prompt = torch.tensor([runtime.encode(render_prompt(runtime.tokenizer, CODE_PROMPT))],
                          device=runtime.model.device)

    def generate(n: int) -> list[int]:
        with torch.inference_mode():
            out = runtime.model.generate(
                prompt, attention_mask=torch.ones_like(prompt), max_new_tokens=n, min_new_tokens=n,
                do_sample=False, pad_token_id=runtime.tokenizer.pad_token_id,
            )
        return out[0, prompt.shape[1]:].tolist()

    one = timed(lambda: generate(1))
    started = time.perf_counter()
    ids = generate(tokens)
    return (tokens - 1) / (time.perf_counter() - started - one), ids


def int8_against_fp32(settings, runtime, tokens: int) -> None:
    """Plain `generate` with the default int8 decode layers against the float32 reference weights."""
    from agent.llm.load import get_runtime

    reference = get_runtime(replace(settings.model_options(), cpu_weights="fp32"))
    (fast, fast_ids), (slow, slow_ids) = plain_generate(runtime, tokens), plain_generate(reference, tokens)
    agree = next((i for i, (a, b) in enumerate(zip(fast_ids, slow_ids)) if a != b), len(fast_ids))
    line("decode_tokens_per_s_generate_fp32_weights", slow, "tokens/s")
    line("decode_tokens_per_s_generate_int8_decode", fast, "tokens/s")
    line("greedy_tokens_identical_before_first_difference", agree, f"of {tokens}")
    line("ratio_decode_int8_vs_fp32_weights", fast / slow, "x")


def prefill(runtime, system: str, tools: list[dict]) -> None:
    from agent.llm.chat_model import LocalChatModel
    from agent.llm.reply_controls import ReplyControls

    chat = LocalChatModel(runtime=runtime).bind_tools(tools)
    runtime.prefix_cache.clear()
    cold = chat.invoke(
        [SystemMessage(system), HumanMessage(TOOL_PROMPTS[0][0])], controls=ReplyControls(max_new_tokens=1)
    ).response_metadata
    warm = chat.invoke(
        [SystemMessage(system), HumanMessage(TOOL_PROMPTS[1][0])], controls=ReplyControls(max_new_tokens=1)
    ).response_metadata
    line("prompt_tokens_operator", cold["prefilled_prompt_tokens"], "tokens")
    line("prefill_cold_s", cold["prefill_s"], "s")
    line("prefill_warm_s", warm["prefill_s"], "s")
    line("prefill_warm_reused", warm["reused_prompt_tokens"], "tokens")
    line("prefill_warm_computed", warm["prefilled_prompt_tokens"], "tokens")
    line("prefill_speedup_with_prefix_cache", cold["prefill_s"] / max(warm["prefill_s"], 1e-9), "x")


def tool_calls(
    runtime, system: str, tools: list[dict], prompts: list[tuple[str, str]], constrained: bool
) -> None:
    from agent.llm.chat_model import LocalChatModel
    from agent.llm.tool_schema import argument_errors

    chat = LocalChatModel(runtime=runtime, constrained=constrained, max_new_tokens=96).bind_tools(tools)
    name = "constrained" if constrained else "unconstrained"
    valid = chosen = 0
    speeds, latencies = [], []
    for question, expected in prompts:
        started = time.perf_counter()
        reply = chat.invoke([SystemMessage(system), HumanMessage(question)])
        latencies.append(time.perf_counter() - started)
        speeds.append(reply.response_metadata["decode_tokens_per_s"])
        calls = reply.tool_calls
        ok = (
            bool(calls)
            and not reply.invalid_tool_calls
            and all(not argument_errors(c["name"], c["args"], tools) for c in calls)
        )
        valid += ok
        chosen += bool(calls) and calls[0]["name"] == expected
        summary = [(c["name"], c["args"]) for c in calls] or repr(reply.content[:80])
        print(f"  [{name}] {question!r} -> {summary} valid={ok}", flush=True)
    line(f"valid_call_rate_{name}", valid / len(prompts), "")
    line(f"expected_tool_rate_{name}", chosen / len(prompts), "")
    line(f"decode_tokens_per_s_{name}", statistics.median(speeds), "tokens/s")
    line(f"latency_p50_{name}", statistics.median(latencies), "s")


def main(args: argparse.Namespace) -> None:
    from agent.config import Settings
    from agent.llm.load import get_runtime
    from agent.roles import system_prompt
    from tools.agent_tools import build_registry
    from tools.events.simulate.profile import demo_profile

    settings = Settings(model=args.model)
    runtime = get_runtime(settings.model_options())
    import torch

    line("model", args.model)
    line("device", f"{runtime.loaded.device}/{runtime.loaded.dtype}/threads={torch.get_num_threads()}")
    tools = build_registry(None, profile=demo_profile()).schemas("operator")  # schemas only; no engine runs
    system = system_prompt("operator", date.today())

    local, plain = decode_speed(runtime, args.tokens, args.repeats)
    line("decode_tokens_per_s_generate", plain, "tokens/s")
    line("decode_tokens_per_s_local_chat_model", local, "tokens/s")
    if runtime.loaded.dtype == "int8":
        int8_against_fp32(settings, runtime, args.tokens)
    prefill(runtime, system, tools)
    prompts = TOOL_PROMPTS[: args.prompts]
    tool_calls(runtime, system, tools, prompts, constrained=True)
    tool_calls(runtime, system, tools, prompts, constrained=False)
    line("ratio_decode_local_vs_generate", local / plain, "x")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--model", default="qwen2.5-coder-0.5b", help="Named model, local HF folder or hub id."
    )
    parser.add_argument("--tokens", type=int, default=48, help="New tokens per decode-speed run.")
    parser.add_argument("--repeats", type=int, default=2, help="Decode-speed runs per side (best is kept).")
    parser.add_argument(
        "--prompts", type=int, default=len(TOOL_PROMPTS), help="Tool prompts per mode (max 10)."
    )
    return parser.parse_args()


if __name__ == "__main__":
    main(parse_args())
