"""int8 decode layers: the same numbers as torch.ao's dynamic Linear, with a single weight packing."""

from __future__ import annotations

import warnings

import pytest
import torch


@pytest.mark.parametrize("bias", [True, False])
def test_the_int8_step_gives_exactly_torch_aos_dynamic_linear(bias):
    from torch.ao.nn.quantized.dynamic import Linear as DynamicInt8Linear
    from torch.ao.quantization import per_channel_dynamic_qconfig

    from agent.llm.int8_linear import DecodeInt8Linear

    torch.manual_seed(0)
    full = torch.nn.Linear(96, 160, bias=bias)
    full.qconfig = per_channel_dynamic_qconfig
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = DynamicInt8Linear.from_float(full)
    del full.qconfig
    layer = DecodeInt8Linear(full)
    for x in (torch.randn(1, 1, 96), torch.randn(1, 1, 96) * 40):
        assert torch.equal(layer(x), reference(x))  # one token: the int8 weights
    prompt = torch.randn(1, 7, 96)
    assert torch.equal(layer(prompt), full(prompt))  # a prefill: the float32 weights


def test_int8_weights_taken_back_decode_exactly_as_quantising_again():
    import copy

    from agent.llm.int8_linear import int8_weights, quantize_for_decoding

    torch.manual_seed(1)
    model = torch.nn.Sequential(torch.nn.Linear(32, 64), torch.nn.ReLU(), torch.nn.Linear(64, 48, bias=False))
    kept = int8_weights(model)
    assert kept["0.int8"].dtype == torch.int8 and kept["2.scales"].shape == (48,)
    fresh = quantize_for_decoding(copy.deepcopy(model))
    taken = quantize_for_decoding(copy.deepcopy(model), kept)
    x = torch.randn(1, 1, 32)
    assert torch.equal(taken(x), fresh(x))
