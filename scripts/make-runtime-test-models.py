#!/usr/bin/python3
"""Builds two tiny ONNX models for the tests of ModelSession's fallback to the CPU when a run fails on the GPU.

Run once with Debian's python3 (python3-onnx):  /usr/bin/python3 scripts/make-runtime-test-models.py
Writes tests/PdnSegmentation.Deep.Tests/RuntimeModels/{fails-at-run,doubles}.onnx (committed, a few hundred bytes).

  fails-at-run  x [N] → y: Reshape to [2, 2]. It loads (N is unknown until a run) and fails on any run where N ≠ 4,
                standing in for a GPU run that fails (a driver reset, GPU memory, an operator the provider mishandles).
  doubles       x [N] → y [N] = 2 x: the CPU session the test falls back to; its answer shows which session ran.
"""
import os
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.join(here, "..", "tests", "PdnSegmentation.Deep.Tests", "RuntimeModels")
os.makedirs(root, exist_ok=True)


def save(name, nodes, inits, output_shape):
    graph = helper.make_graph(nodes, name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n"])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, output_shape)], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="pdnseg-test")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(root, name + ".onnx"))


save("fails-at-run", [helper.make_node("Reshape", ["x", "shape"], ["y"])],
     [numpy_helper.from_array(np.array([2, 2], np.int64), "shape")], [2, 2])
save("doubles", [helper.make_node("Mul", ["x", "two"], ["y"])],
     [numpy_helper.from_array(np.array(2.0, np.float32), "two")], ["n"])
print("wrote", root)
