#!/usr/bin/python3
"""Builds tiny ONNX models with the tensor contracts of the subject-model families, for tests of the data-described
subject runtime (resize, layout, channel order, scaling, mean/std, output kind, min-max, padding, dynamic sizes).

Run once with Debian's python3 (python3-onnx):  /usr/bin/python3 scripts/make-subject-test-models.py
Writes tests/PdnSegmentation.Deep.Tests/SubjectModels/<family>/{model.onnx,model.json} (a few hundred bytes each,
committed).

Every model's output map is the same known function of its three input channels c0, c1, c2 (in the tensor's channel
order, after the runtime's scaling and normalisation):  y = (c0 + 2·c1) + 4·c2, computed as Mul, Add, Mul, Add so a
test can recompute it bit for bit from its own preprocessing. Families:
  nchw320        U²-Net-like: input.1 [1,3,320,320] → 1959 [1,1,320,320] (+ a second output 'side' = c0 that must not
                 be read); RGB, ÷max, ImageNet mean/std, probability, min-max
  nchw1024       IS-Net-like: [1,3,1024,1024] → [1,1,1024,1024], unnamed in model.json (first input/output); RGB, ÷255,
                 mean 0.5, std 1.0, probability, min-max
  nhwc256        MediaPipe-like: input_1:0 [1,256,256,3] → activation_10 [1,256,256,1]; RGB, ÷255
  logits-dynamic pixel_values [1,3,H,W] → logits [1,1,H,W]; BGR, ÷255, multiple of 32 up to 256, padded; logits
except shifted-mirror: image [1,3,64,64] → alpha [1,1,64,64], y(x) = c0(x − 1) and 0 in the first column (Pad, Slice):
not mirror-symmetric, so test-time mirroring changes its map to ½·(c0(x − 1) + c0(x + 1)); RGB, ÷255, contract
"mirror": true.
"""
import hashlib
import json
import os
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.join(here, "..", "tests", "PdnSegmentation.Deep.Tests", "SubjectModels")


def build(family, input_name, input_shape, output_name, output_shape, channel_axis, contract, extra_output=False):
    inits = [
        numpy_helper.from_array(np.array([0], np.int64), "c0_start"),
        numpy_helper.from_array(np.array([1], np.int64), "c1_start"),
        numpy_helper.from_array(np.array([2], np.int64), "c2_start"),
        numpy_helper.from_array(np.array([3], np.int64), "c3_start"),
        numpy_helper.from_array(np.array([channel_axis], np.int64), "axis"),
        numpy_helper.from_array(np.array(2.0, np.float32), "two"),
        numpy_helper.from_array(np.array(4.0, np.float32), "four"),
    ]
    nodes = [
        helper.make_node("Slice", [input_name, "c0_start", "c1_start", "axis"], ["c0"]),
        helper.make_node("Slice", [input_name, "c1_start", "c2_start", "axis"], ["c1"]),
        helper.make_node("Slice", [input_name, "c2_start", "c3_start", "axis"], ["c2"]),
        helper.make_node("Mul", ["c1", "two"], ["c1x2"]),
        helper.make_node("Add", ["c0", "c1x2"], ["partial"]),
        helper.make_node("Mul", ["c2", "four"], ["c2x4"]),
        helper.make_node("Add", ["partial", "c2x4"], [output_name]),
    ]
    outputs = [helper.make_tensor_value_info(output_name, TensorProto.FLOAT, output_shape)]
    if extra_output:
        nodes.append(helper.make_node("Identity", ["c0"], ["side"]))
        outputs.append(helper.make_tensor_value_info("side", TensorProto.FLOAT, output_shape))
    save(family, nodes, [helper.make_tensor_value_info(input_name, TensorProto.FLOAT, input_shape)], outputs, inits, contract)


def save(family, nodes, inputs, outputs, inits, contract):
    """Checks the graph and writes the family's model.onnx and its model.json (size, SHA-256, the contract)."""
    graph = helper.make_graph(nodes, "subject_" + family, inputs, outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="pdnseg-test")
    model.ir_version = 8
    onnx.checker.check_model(model)
    folder = os.path.join(root, family)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "model.onnx")
    onnx.save(model, path)
    data = open(path, "rb").read()
    with open(os.path.join(folder, "model.json"), "w") as f:
        json.dump({"name": "subject-" + family, "task": "subject",
                   "licence": "generated test fixture (scripts/make-subject-test-models.py)",
                   "files": {"model": {"path": "model.onnx", "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}},
                   "subject": contract}, f, indent=2)
        f.write("\n")
    print("wrote", path, len(data), "bytes")


imagenet = {"mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]}
build("nchw320", "input.1", [1, 3, 320, 320], "1959", [1, 1, 320, 320], 1,
      {"input": {"name": "input.1", "layout": "nchw", "side": 320, "resize": "stretch", "channels": "rgb", "scale": "divideMax", **imagenet},
       "output": {"name": "1959", "kind": "probability", "minMaxNormalise": True}}, extra_output=True)
build("nchw1024", "input_image", [1, 3, 1024, 1024], "output", [1, 1, 1024, 1024], 1,
      {"input": {"layout": "nchw", "side": 1024, "resize": "stretch", "channels": "rgb", "scale": "divide255",
                 "mean": [0.5, 0.5, 0.5], "std": [1.0, 1.0, 1.0]},
       "output": {"kind": "probability", "minMaxNormalise": True}})
build("nhwc256", "input_1:0", [1, 256, 256, 3], "activation_10", [1, 256, 256, 1], 3,
      {"input": {"name": "input_1:0", "layout": "nhwc", "side": 256, "resize": "stretch", "channels": "rgb", "scale": "divide255",
                 "mean": [0, 0, 0], "std": [1, 1, 1]},
       "output": {"name": "activation_10", "kind": "probability", "minMaxNormalise": False}})
build("logits-dynamic", "pixel_values", [1, 3, "H", "W"], "logits", [1, 1, "H", "W"], 1,
      {"input": {"name": "pixel_values", "layout": "nchw", "multipleOf": 32, "maxSide": 256, "resize": "pad", "channels": "bgr",
                 "scale": "divide255", "mean": [0.5, 0.4, 0.3], "std": [0.25, 0.5, 1.0]},
       "output": {"name": "logits", "kind": "logits", "minMaxNormalise": False}})


def build_shifted_mirror():
    family = "shifted-mirror"
    inits = [
        numpy_helper.from_array(np.array([0, 0, 0, 1, 0, 0, 0, 0], np.int64), "pads"),  # one column on the left of the width axis
        numpy_helper.from_array(np.array([0, 0], np.int64), "starts"),
        numpy_helper.from_array(np.array([1, 64], np.int64), "ends"),
        numpy_helper.from_array(np.array([1, 3], np.int64), "axes"),
    ]
    nodes = [
        helper.make_node("Pad", ["image", "pads"], ["padded"], mode="constant"),
        helper.make_node("Slice", ["padded", "starts", "ends", "axes"], ["alpha"]),  # channel 0, the first 64 columns
    ]
    save(family, nodes, [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, 64, 64])],
         [helper.make_tensor_value_info("alpha", TensorProto.FLOAT, [1, 1, 64, 64])], inits,
         {"input": {"name": "image", "layout": "nchw", "side": 64, "resize": "stretch", "channels": "rgb",
                    "scale": "divide255", "mean": [0, 0, 0], "std": [1, 1, 1]},
          "output": {"name": "alpha", "kind": "probability", "minMaxNormalise": False},
          "mirror": True})


build_shifted_mirror()
