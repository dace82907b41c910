"""int8 weights for CPU decoding: each linear layer runs one-token steps through an int8 copy of its weights.

Decoding one token reads every weight once, so on the CPU it is bound by memory traffic: int8 weights (per
output channel, the activation quantised per call; torch's dynamic quantisation, fbgemm kernels) decode
faster. A prompt's prefill is bound by arithmetic instead, and its activations would be quantised with one
scale over all its tokens, so how a prompt is split (all at once, or its suffix after a cached prefix)
would change the numbers: prefill stays float32. Imported only when a model is loaded (torch is heavy).
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch.ao.nn.quantized.modules.utils import _quantize_weight
from torch.ao.quantization import per_channel_dynamic_qconfig

_runs = threading.local()


@contextmanager
def decoding_run() -> Iterator[None]:
    """Within it, multi-token passes use the int8 weights too: runs of reply tokens the grammar forced."""
    _runs.active = True
    try:
        yield
    finally:
        _runs.active = False


class DecodeInt8Linear(torch.nn.Module):
    """A float32 nn.Linear (used for prefill) with an int8 copy of its weights (one-token steps, decoding
    runs)."""

    def __init__(self, full: torch.nn.Linear) -> None:
        super().__init__()
        self.full = full
        # What torch.ao's dynamic Linear.from_float computes, packed once: from_float also packs a zero
        # weight of the full size first, which took a third of the model's int8 start-up.
        with warnings.catch_warnings():  # torch.ao's eager quantisation warns that it moves to torchao
            warnings.simplefilter("ignore")
            observer = per_channel_dynamic_qconfig.weight()
            observer(full.weight)
            qweight = _quantize_weight(full.weight.float(), observer)
        self._packed = torch.ops.quantized.linear_prepack(qweight, full.bias)

    def step(self, x: torch.Tensor) -> torch.Tensor:
        """The int8 product (activations quantised per call, as torch.ao's dynamic Linear does)."""
        return torch.ops.quantized.linear_dynamic(x, self._packed, reduce_range=True).to(x.dtype)

    @property
    def weight(self) -> torch.nn.Parameter:
        """The float32 weight (code that inspects a model's layers, e.g. the vocabulary size, reads it)."""
        return self.full.weight

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        one_token = x.dim() == 3 and x.shape[1] == 1
        return self.step(x) if one_token or getattr(_runs, "active", False) else self.full(x)


def quantize_for_decoding(model: torch.nn.Module) -> torch.nn.Module:
    """`model` with every nn.Linear wrapped in a `DecodeInt8Linear`, in place."""
    for module in list(model.modules()):
        for name, child in module.named_children():
            if type(child) is torch.nn.Linear:
                setattr(module, name, DecodeInt8Linear(child))
    return model
