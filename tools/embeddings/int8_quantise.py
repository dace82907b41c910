"""The int8 quantisation of the exported, fused MiniLM graph (why FFN outputs go per token:
`tools.embeddings.int8_build`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tools.embeddings.errors import EmbedderBuildError


def quantise(source: Path, target: Path, intermediate_size: int, hidden_size: int) -> None:
    """Quantise the fused float model at `source` into `target`: int8 per channel, FFN outputs per token."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    graph = onnx.load(str(source), load_external_data=False).graph
    shapes = {init.name: tuple(init.dims) for init in graph.initializer}
    # Feed-forward output projections (intermediate -> hidden) are quantised per token; see the module
    # docstring.
    producers = {output: node.op_type for node in graph.node for output in node.output}
    per_token = [
        node.name
        for node in graph.node
        if node.op_type == "MatMul" and shapes.get(node.input[1]) == (intermediate_size, hidden_size)
    ]
    if not per_token:
        raise EmbedderBuildError("No feed-forward output projection found in the exported graph; "
                                 "the export changed.")
    # The per-token scheme relies on GELU's floor, so its inputs must come straight from the fused GELU.
    if any(producers.get(node.input[0]) != "FastGelu" for node in graph.node if node.name in per_token):
        raise EmbedderBuildError("A feed-forward output projection does not follow a fused GELU; "
                                 "the fusion changed.")
    quantize_dynamic(
        str(source),
        str(target),
        weight_type=QuantType.QInt8,
        per_channel=True,
        nodes_to_exclude=per_token,  # quantised per token below
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},  # fused ops lack inferred types
    )
    model = onnx.load(str(target))
    quantise_per_token(model, set(per_token), intermediate_size, hidden_size)
    onnx.save(model, str(target))


# GELU's smallest value is -0.16997 (erf form) or -0.17004 (tanh form), near x = -0.75: every FFN-out input
# lies in [-GELU_FLOOR, max].
GELU_FLOOR = 0.1701
ACTIVATION_LEVELS = 255  # per-token uint8 codes 0..ACTIVATION_LEVELS
WEIGHT_LEVELS = 127  # int8 weight codes -WEIGHT_LEVELS..WEIGHT_LEVELS


def quantise_per_token(model, names: set[str], intermediate_size: int, hidden_size: int) -> None:
    """Replace the float MatMuls `names` (GELU output @ weight) by per-token uint8 x per-column int8
    MatMulInteger.

    Row r of the input x is quantised as q = round(x / s_r) + z_r with s_r = (max_r + GELU_FLOOR) / 255 and
    z_r = round(GELU_FLOOR / s_r); the weight W as Wq * w (int8, one scale per output column). Then
    x @ W = s_r * w * (q @ Wq) - s_r * z_r * (colsum(Wq) * w), all of it standard ONNX operators.
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    graph = model.graph
    weights = {init.name: init for init in graph.initializer}

    def constant(name: str, value: np.ndarray) -> str:
        graph.initializer.append(numpy_helper.from_array(value, name))
        return name

    floor = constant("per_token_floor", np.array(GELU_FLOOR, np.float32))
    inv_levels = constant("per_token_inv_levels", np.array(1 / ACTIVATION_LEVELS, np.float32))
    rows = constant("per_token_rows", np.array([-1, intermediate_size], np.int64))
    axis1 = constant("per_token_axis1", np.array([1], np.int64))
    replaced: dict[str, list] = {}
    for node in graph.node:
        if node.name not in names:
            continue
        weight = numpy_helper.to_array(weights[node.input[1]]).astype(np.float32)
        column_scale = np.maximum(np.abs(weight).max(axis=0), 1e-12) / WEIGHT_LEVELS
        quantised = np.clip(np.round(weight / column_scale), -WEIGHT_LEVELS, WEIGHT_LEVELS).astype(np.int8)
        p = f"{node.name}_per_token_"
        wq = constant(p + "wq", quantised)
        ws = constant(p + "ws", column_scale.astype(np.float32))
        colsum = constant(p + "colsum",
                          (quantised.astype(np.int64).sum(axis=0) * column_scale).astype(np.float32))
        x, y = node.input[0], node.output[0]
        make = helper.make_node
        replaced[node.name] = [
            make("Shape", [x], [p + "shape"], end=2, name=p + "shape"),  # (batch, tokens)
            make("Reshape", [x, rows], [p + "x"], name=p + "rows"),
            make("ReduceMax", [p + "x"], [p + "max"], axes=[1], keepdims=0, name=p + "max"),
            make("Max", [p + "max", floor], [p + "max_floor"], name=p + "max_floor"),  # never a zero range
            make("Add", [p + "max_floor", floor], [p + "range"], name=p + "range"),
            make("Mul", [p + "range", inv_levels], [p + "scale"], name=p + "scale"),
            make("Div", [floor, p + "scale"], [p + "zero_float"], name=p + "zero_float"),
            make("Round", [p + "zero_float"], [p + "zero_round"], name=p + "zero_round"),
            make("Cast", [p + "zero_round"], [p + "zero"], to=TensorProto.UINT8, name=p + "zero"),
            make("QuantizeLinear", [p + "x", p + "scale", p + "zero"], [p + "q"], axis=0,
                 name=p + "quantise"),
            make("MatMulInteger", [p + "q", wq], [p + "acc"], name=p + "matmul"),
            make("Cast", [p + "acc"], [p + "acc_float"], to=TensorProto.FLOAT, name=p + "acc_float"),
            make("Unsqueeze", [p + "scale", axis1], [p + "row_scale"], name=p + "row_scale"),
            make("Mul", [p + "zero_round", p + "scale"], [p + "offset"], name=p + "offset"),
            make("Unsqueeze", [p + "offset", axis1], [p + "row_offset"], name=p + "row_offset"),
            make("Mul", [p + "acc_float", p + "row_scale"], [p + "y_rows"], name=p + "y_rows"),
            make("Mul", [p + "y_rows", ws], [p + "y_scaled"], name=p + "y_scaled"),
            make("Mul", [p + "row_offset", colsum], [p + "correction"], name=p + "correction"),
            make("Sub", [p + "y_scaled", p + "correction"], [p + "y"], name=p + "y"),
            make("Concat", [p + "shape", constant(p + "width", np.array([hidden_size], np.int64))],
                 [p + "out_shape"], axis=0, name=p + "out_shape"),
            make("Reshape", [p + "y", p + "out_shape"], [y], name=p + "out"),
        ]
    if set(replaced) != names:
        raise EmbedderBuildError(f"Feed-forward projections {sorted(names - set(replaced))} vanished during "
                                 "quantisation.")
    nodes = [new for node in graph.node for new in replaced.get(node.name, [node])]
    graph.ClearField("node")
    graph.node.extend(nodes)
    used = {name for node in graph.node for name in node.input}
    kept = [init for init in graph.initializer if init.name in used]  # the float weights are replaced
    graph.ClearField("initializer")
    graph.initializer.extend(kept)
    onnx.checker.check_model(model)
