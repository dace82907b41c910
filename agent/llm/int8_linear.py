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

    def __init__(self, full: torch.nn.Linear, qweight: torch.Tensor | None = None) -> None:
        """`qweight`: `full`'s weight quantised already (`quantized_weight`), kept by an earlier start."""
        super().__init__()
        self.full = full
        # Packed once: torch.ao's from_float also packs a zero weight of the full size first, which took a
        # third of the model's int8 start-up.
        self._packed = torch.ops.quantized.linear_prepack(
            qweight if qweight is not None else quantized_weight(full), full.bias
        )

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


def quantized_weight(full: torch.nn.Linear) -> torch.Tensor:
    """`full`'s weight in int8 per output channel, as torch.ao's dynamic Linear.from_float quantises it."""
    with warnings.catch_warnings():  # torch.ao's eager quantisation warns that it moves to torchao
        warnings.simplefilter("ignore")
        observer = per_channel_dynamic_qconfig.weight()
        observer(full.weight)
        return _quantize_weight(full.weight.float(), observer)


def int8_weights(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    """Every nn.Linear's int8 weight as plain tensors (`<layer>.int8`, `.scales`, `.zero_points`): what
    `quantize_for_decoding` takes back instead of quantising again."""
    tensors = {}
    for name, module in model.named_modules():
        if type(module) is torch.nn.Linear:
            qweight = quantized_weight(module)
            tensors[f"{name}.int8"] = qweight.int_repr()
            tensors[f"{name}.scales"] = qweight.q_per_channel_scales()
            tensors[f"{name}.zero_points"] = qweight.q_per_channel_zero_points()
    return tensors


def quantize_for_decoding(
    model: torch.nn.Module, weights: dict[str, torch.Tensor] | None = None
) -> torch.nn.Module:
    """`model` with every nn.Linear wrapped in a `DecodeInt8Linear`, in place; with `weights` (from
    `int8_weights` of this model) the int8 weights are taken from there, not quantised again."""
    for parent_name, module in list(model.named_modules()):
        for name, child in module.named_children():
            if type(child) is torch.nn.Linear:
                full_name = f"{parent_name}.{name}" if parent_name else name
                qweight = _from_plain(weights, full_name) if weights is not None else None
                setattr(module, name, DecodeInt8Linear(child, qweight))
    return model


def _from_plain(weights: dict[str, torch.Tensor], name: str) -> torch.Tensor:
    return torch._make_per_channel_quantized_tensor(
        weights[f"{name}.int8"], weights[f"{name}.scales"], weights[f"{name}.zero_points"], axis=0
    )
