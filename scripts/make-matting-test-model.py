#!/usr/bin/python3
"""Builds a tiny ONNX model with the ViTMatte export's tensor contract, for tests of the deep matting runtime
(cropping to the unknown region, resizing, normalisation, the trimap channel, padding to a multiple of 32, upsampling).

Run once with Debian's python3 (python3-onnx):  /usr/bin/python3 scripts/make-matting-test-model.py
Writes tests/PdnSegmentation.Deep.Tests/MattingModels/{model.onnx,model.json} (a few hundred bytes, committed).

Input:  pixel_values [1,4,H,W]: RGB / 255 normalised with mean = std = 0.5, then the trimap / 255 (0, 128/255, 1)
Output: alphas [1,1,H,W] = 0.5 * R' + 0.5 + (T - 128/255), i.e. the red channel / 255 wherever the trimap says
        unknown — a known function of the input, so tests can check every pixel's geometry and the channel order.
"""
import hashlib
import json
import os
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

here = os.path.dirname(os.path.abspath(__file__))
out_dir = os.path.join(here, "..", "tests", "PdnSegmentation.Deep.Tests", "MattingModels")
os.makedirs(out_dir, exist_ok=True)

inits = [
    numpy_helper.from_array(np.array([0], np.int64), "zero"),
    numpy_helper.from_array(np.array([1], np.int64), "one"),
    numpy_helper.from_array(np.array([3], np.int64), "three"),
    numpy_helper.from_array(np.array([4], np.int64), "four"),
    numpy_helper.from_array(np.array([1], np.int64), "axis"),
    numpy_helper.from_array(np.array(0.5, np.float32), "half"),
    numpy_helper.from_array(np.array(np.float32(128) / np.float32(255), np.float32), "unknown"),
]
nodes = [
    helper.make_node("Slice", ["pixel_values", "zero", "one", "axis"], ["red"]),
    helper.make_node("Slice", ["pixel_values", "three", "four", "axis"], ["trimap"]),
    helper.make_node("Mul", ["red", "half"], ["red_half"]),
    helper.make_node("Add", ["red_half", "half"], ["red_unit"]),
    helper.make_node("Sub", ["trimap", "unknown"], ["trimap_offset"]),
    helper.make_node("Add", ["red_unit", "trimap_offset"], ["alphas"]),
]
graph = helper.make_graph(nodes, "matting_test",
                          [helper.make_tensor_value_info("pixel_values", TensorProto.FLOAT, [1, 4, "H", "W"])],
                          [helper.make_tensor_value_info("alphas", TensorProto.FLOAT, [1, 1, "H", "W"])], inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="pdnseg-test")
model.ir_version = 8
onnx.checker.check_model(model)
path = os.path.join(out_dir, "model.onnx")
onnx.save(model, path)
data = open(path, "rb").read()
print("wrote", path, len(data), "bytes")
# The descriptor the model manager would write for an installed model.
with open(os.path.join(out_dir, "model.json"), "w") as f:
    json.dump({"name": "matting-contract-test", "task": "matting",
               "licence": "generated test fixture (scripts/make-matting-test-model.py)",
               "files": {"model": {"path": "model.onnx", "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}}}, f, indent=2)
