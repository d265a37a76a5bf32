#!/usr/bin/python3
"""Builds two tiny ONNX models with the MobileSAM / SAM export's tensor contract, for tests of the Segment Anything
runtime (coordinate mapping, padding, resizing, upscaling, thresholding, multimask choice, mask feedback).

Run once with Debian's python3 (python3-onnx):  /usr/bin/python3 scripts/make-sam-test-models.py
Writes tests/PdnSegmentation.Deep.Tests/SamModels/{encoder,decoder}.onnx (a few KB each, committed).

Encoder:  image [1,3,1024,1024] -> image_embeddings [1,256,64,64]   (16x16 average pool, fixed 1x1 conv)
Decoder:  image_embeddings [1,256,64,64], point_coords [1,N,2], point_labels [1,N], mask_input [1,1,256,256],
          has_mask_input [1], orig_im_size [2]
       -> masks [1,4,256,256], iou_predictions [1,4], low_res_masks [1,4,256,256]
The decoder computes a known function on the 256x256 low-resolution grid, whose cell (i, j) has its centre at
(4j + 2, 4i + 2) in the 1024 frame:
  variant k (k = 0..3) uses radius R_k = 32 (k + 1):
  pos_k = max over points labelled 1 of (R_k^2 - d^2)           (-1e9 when there is none)
  neg_k = max over points labelled 0 of (R_k^2 - d^2)           (-1e9 when there is none)
  box   = 64 * min(x - x1, x2 - x, y - y1, y2 - y), corners labelled 2 (top-left) and 3 (bottom-right)
  feedback = 1000 * mask_input when has_mask_input = 1, else -1e9 (the fed-back mask joins as another positive source)
  logit_k = max(pos_k, box, feedback) - 4 * max(neg_k, 0)
  iou_predictions = [0.6, 0.7, 0.95, 0.8]  (a single click picks variant 2 among the multimask outputs 1..3)
Padding points (label -1) contribute nothing. The embeddings do not enter the logits (the runtime's job is geometry).
"""
import os
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13
here = os.path.dirname(os.path.abspath(__file__))
out_dir = os.path.join(here, "..", "tests", "PdnSegmentation.Deep.Tests", "SamModels")
os.makedirs(out_dir, exist_ok=True)


def encoder():
    weight = np.zeros((256, 3, 1, 1), np.float32)
    for c in range(256):
        weight[c, c % 3, 0, 0] = 1.0
    nodes = [
        helper.make_node("AveragePool", ["image"], ["pooled"], kernel_shape=[16, 16], strides=[16, 16]),
        helper.make_node("Conv", ["pooled", "w"], ["image_embeddings"]),
    ]
    graph = helper.make_graph(nodes, "sam_test_encoder",
                              [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, 1024, 1024])],
                              [helper.make_tensor_value_info("image_embeddings", TensorProto.FLOAT, [1, 256, 64, 64])],
                              [numpy_helper.from_array(weight, "w")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="pdnseg-test")


def decoder():
    radii2 = (np.array([32, 64, 96, 128], np.float32) ** 2).reshape(1, 4, 1, 1, 1)     # [1,4,1,1,1]
    inits = [
        numpy_helper.from_array(radii2, "r2"),
        numpy_helper.from_array(np.array(256.0, np.float32), "n256"),
        numpy_helper.from_array(np.array([1, 1, 1, 256], np.int64), "row_shape"),
        numpy_helper.from_array(np.array([1, 1, 256, 1], np.int64), "col_shape"),
        numpy_helper.from_array(np.array([0.6, 0.7, 0.95, 0.8], np.float32).reshape(1, 4), "iou"),
        numpy_helper.from_array(np.array(-1e9, np.float32), "minus_inf"),
        numpy_helper.from_array(np.array(0.0, np.float32), "zero"),
        numpy_helper.from_array(np.array(4.0, np.float32), "four"),
        numpy_helper.from_array(np.array(64.0, np.float32), "sixty_four"),
        numpy_helper.from_array(np.array(1000.0, np.float32), "thousand"),
        numpy_helper.from_array(np.array(1e9, np.float32), "billion"),
        numpy_helper.from_array(np.array([1, -1, 1, 1], np.int64), "shape_n"),
        numpy_helper.from_array(np.array([1, 1, -1, 1, 1], np.int64), "shape_n5"),
        numpy_helper.from_array(np.array([1, 1, -1, 256, 256], np.int64), "shape_grid5"),
        numpy_helper.from_array(np.array(0.0, np.float32), "l0"), numpy_helper.from_array(np.array(1.0, np.float32), "l1"),
        numpy_helper.from_array(np.array(2.0, np.float32), "l2"), numpy_helper.from_array(np.array(3.0, np.float32), "l3"),
    ]
    n = []
    # cell centres in the 1024 frame: gx [1,1,1,256], gy [1,1,256,1] (broadcast to the grid)
    n.append(helper.make_node("Range", ["zero", "n256", "l1"], ["index"]))
    n.append(helper.make_node("Mul", ["index", "four"], ["index4"]))
    n.append(helper.make_node("Add", ["index4", "l2"], ["centres"]))
    n.append(helper.make_node("Reshape", ["centres", "row_shape"], ["gx"]))
    n.append(helper.make_node("Reshape", ["centres", "col_shape"], ["gy"]))
    # px, py: [1,N,1,1]; labels: [1,N,1,1]
    n.append(helper.make_node("Split", ["point_coords"], ["px3", "py3"], axis=2))                 # [1,N,1] each
    n.append(helper.make_node("Reshape", ["px3", "shape_n"], ["px"]))
    n.append(helper.make_node("Reshape", ["py3", "shape_n"], ["py"]))
    n.append(helper.make_node("Reshape", ["point_labels", "shape_n"], ["lab"]))
    # squared distances [1,N,256,256]
    n.append(helper.make_node("Sub", ["gx", "px"], ["dx"]))
    n.append(helper.make_node("Sub", ["gy", "py"], ["dy"]))
    n.append(helper.make_node("Mul", ["dx", "dx"], ["dx2"]))
    n.append(helper.make_node("Mul", ["dy", "dy"], ["dy2"]))
    n.append(helper.make_node("Add", ["dx2", "dy2"], ["d2"]))
    n.append(helper.make_node("Reshape", ["d2", "shape_grid5"], ["d2_5"]))                       # [1,1,N,256,256]
    n.append(helper.make_node("Sub", ["r2", "d2_5"], ["score"]))                                 # [1,4,N,256,256]
    n.append(helper.make_node("Reshape", ["lab", "shape_n5"], ["lab5"]))                         # [1,1,N,1,1]
    for name, value in (("pos", "l1"), ("neg", "l0")):
        n.append(helper.make_node("Equal", ["lab5", value], [name + "_is"]))
        n.append(helper.make_node("Where", [name + "_is", "score", "minus_inf"], [name + "_s"]))
        n.append(helper.make_node("ReduceMax", [name + "_s"], [name], axes=[2], keepdims=0))       # [1,4,256,256]
    # box corners
    for name, value, coord in (("x1", "l2", "px"), ("y1", "l2", "py"), ("x2", "l3", "px"), ("y2", "l3", "py")):
        n.append(helper.make_node("Equal", ["lab", value], [name + "_is"]))
        n.append(helper.make_node("Where", [name + "_is", coord, "minus_inf"], [name + "_v"]))
        n.append(helper.make_node("ReduceMax", [name + "_v"], [name], axes=[1], keepdims=1))        # [1,1,1,1]
    n.append(helper.make_node("Sub", ["gx", "x1"], ["bl"]))
    n.append(helper.make_node("Sub", ["x2", "gx"], ["br"]))
    n.append(helper.make_node("Sub", ["gy", "y1"], ["bt"]))
    n.append(helper.make_node("Sub", ["y2", "gy"], ["bb"]))
    n.append(helper.make_node("Min", ["bl", "br", "bt", "bb"], ["bmin"]))
    n.append(helper.make_node("Mul", ["bmin", "sixty_four"], ["box"]))                           # [1,1,256,256]
    n.append(helper.make_node("Mul", ["mask_input", "has_mask_input"], ["feedback0"]))
    n.append(helper.make_node("Mul", ["feedback0", "thousand"], ["feedback1"]))
    n.append(helper.make_node("Sub", ["has_mask_input", "l1"], ["no_mask"]))                     # 0 or -1
    n.append(helper.make_node("Mul", ["no_mask", "billion"], ["absent"]))                        # 0 or -1e9
    n.append(helper.make_node("Add", ["feedback1", "absent"], ["feedback"]))
    n.append(helper.make_node("Max", ["pos", "box", "feedback"], ["positive"]))                  # [1,4,256,256]
    n.append(helper.make_node("Max", ["neg", "zero"], ["neg0"]))
    n.append(helper.make_node("Mul", ["neg0", "four"], ["neg4"]))
    n.append(helper.make_node("Sub", ["positive", "neg4"], ["low_res_masks"]))
    n.append(helper.make_node("Identity", ["low_res_masks"], ["masks"]))
    n.append(helper.make_node("Identity", ["iou"], ["iou_predictions"]))
    # keep the embeddings and orig_im_size as real inputs of the graph (the contract), without affecting results
    n.append(helper.make_node("ReduceSum", ["image_embeddings"], ["emb_sum"], keepdims=0))
    n.append(helper.make_node("Cast", ["orig_im_size"], ["orig_f"], to=TensorProto.FLOAT))
    n.append(helper.make_node("ReduceSum", ["orig_f"], ["orig_sum"], keepdims=0))
    n.append(helper.make_node("Add", ["emb_sum", "orig_sum"], ["unused"]))
    inputs = [
        helper.make_tensor_value_info("image_embeddings", TensorProto.FLOAT, [1, 256, 64, 64]),
        helper.make_tensor_value_info("point_coords", TensorProto.FLOAT, [1, "N", 2]),
        helper.make_tensor_value_info("point_labels", TensorProto.FLOAT, [1, "N"]),
        helper.make_tensor_value_info("mask_input", TensorProto.FLOAT, [1, 1, 256, 256]),
        helper.make_tensor_value_info("has_mask_input", TensorProto.FLOAT, [1]),
        helper.make_tensor_value_info("orig_im_size", TensorProto.FLOAT, [2]),
    ]
    outputs = [
        helper.make_tensor_value_info("masks", TensorProto.FLOAT, [1, 4, 256, 256]),
        helper.make_tensor_value_info("iou_predictions", TensorProto.FLOAT, [1, 4]),
        helper.make_tensor_value_info("low_res_masks", TensorProto.FLOAT, [1, 4, 256, 256]),
        helper.make_tensor_value_info("unused", TensorProto.FLOAT, []),
    ]
    graph = helper.make_graph(n, "sam_test_decoder", inputs, outputs, inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="pdnseg-test")


import hashlib
import json

files = {}
for name, model in (("encoder", encoder()), ("decoder", decoder())):
    model.ir_version = 8
    onnx.checker.check_model(model)
    path = os.path.join(out_dir, name + ".onnx")
    onnx.save(model, path)
    data = open(path, "rb").read()
    files[name] = {"path": name + ".onnx", "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    print("wrote", path, len(data), "bytes")
# The descriptor the model manager would write for an installed model.
with open(os.path.join(out_dir, "model.json"), "w") as f:
    json.dump({"name": "sam-contract-test", "task": "segment-anything",
               "licence": "generated test fixture (scripts/make-sam-test-models.py)", "files": files}, f, indent=2)
