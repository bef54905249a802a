"""blastscan reads what TensorFlow writes: TensorFlow freezes a small Inception-shaped graph (TF-Slim's
Inception V3 up to Mixed_5b, then TF-Slim's logits and softmax) with TF-Slim scope names, convs
without biases followed by real FusedBatchNormV3 nodes (T, U, data_format, epsilon,
is_training=False; Conv2D with explicit_paddings, dilations, data_format), seeded random weights
and batch-norm statistics. Two freezings, as users have them:

- "tf2": a tf.function over tf.Variables, frozen by convert_variables_to_constants_v2: the
  weights become Consts named after their read ops (.../Conv2D/ReadVariableOp/resource), not
  after the variables;
- "tf1": a graph of reference variables frozen by tf.compat.v1.graph_util.
  convert_variables_to_constants, as TF-Slim's freeze_graph and the seed's trainer did: Consts
  named .../weights, .../BatchNorm/moving_mean read through Identity nodes; once with the ops
  under InceptionV3/ and once ("tf1-slim-scope") under InceptionV3/InceptionV3/, as TF-Slim's
  own graphs have them.

blastscan (classify, with labels.txt beside the .pb) must agree with TensorFlow's sess.run within
1e-4 on the same input (blastscan's own preprocess .npy). Last, TensorFlow's graph edited into
forms blastscan does not run (NCHW, dilated or explicitly padded convs, training-mode batch norm,
half floats, an op it does not know) must be refused with an error naming the node and the
attribute or op."""
import copy
import shutil

import numpy as np
import tensorflow as tf
from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2

import interop_common as common

TOLERANCE = 1e-4
CLASSES = ["Benign", "ALL"]

# TF-Slim inception_v3_base up to Mixed_5b: (scope, kind, kernel, stride, padding, out channels, input).
LAYERS = [
    ("Conv2d_1a_3x3", "conv", 3, 2, "VALID", 32, "input"),
    ("Conv2d_2a_3x3", "conv", 3, 1, "VALID", 32, "Conv2d_1a_3x3"),
    ("Conv2d_2b_3x3", "conv", 3, 1, "SAME", 64, "Conv2d_2a_3x3"),
    ("MaxPool_3a_3x3", "max", 3, 2, "VALID", None, "Conv2d_2b_3x3"),
    ("Conv2d_3b_1x1", "conv", 1, 1, "VALID", 80, "MaxPool_3a_3x3"),
    ("Conv2d_4a_3x3", "conv", 3, 1, "VALID", 192, "Conv2d_3b_1x1"),
    ("MaxPool_5a_3x3", "max", 3, 2, "VALID", None, "Conv2d_4a_3x3"),
    ("Mixed_5b/Branch_0/Conv2d_0a_1x1", "conv", 1, 1, "SAME", 64, "MaxPool_5a_3x3"),
    ("Mixed_5b/Branch_1/Conv2d_0a_1x1", "conv", 1, 1, "SAME", 48, "MaxPool_5a_3x3"),
    ("Mixed_5b/Branch_1/Conv2d_0b_5x5", "conv", 5, 1, "SAME", 64, "Mixed_5b/Branch_1/Conv2d_0a_1x1"),
    ("Mixed_5b/Branch_2/Conv2d_0a_1x1", "conv", 1, 1, "SAME", 64, "MaxPool_5a_3x3"),
    ("Mixed_5b/Branch_2/Conv2d_0b_3x3", "conv", 3, 1, "SAME", 96, "Mixed_5b/Branch_2/Conv2d_0a_1x1"),
    ("Mixed_5b/Branch_2/Conv2d_0c_3x3", "conv", 3, 1, "SAME", 96, "Mixed_5b/Branch_2/Conv2d_0b_3x3"),
    ("Mixed_5b/Branch_3/AvgPool_0a_3x3", "avg", 3, 1, "SAME", None, "MaxPool_5a_3x3"),
    ("Mixed_5b/Branch_3/Conv2d_0b_1x1", "conv", 1, 1, "SAME", 32, "Mixed_5b/Branch_3/AvgPool_0a_3x3"),
]
MIXED_5B = ["Mixed_5b/Branch_0/Conv2d_0a_1x1", "Mixed_5b/Branch_1/Conv2d_0b_5x5", "Mixed_5b/Branch_2/Conv2d_0c_3x3",
            "Mixed_5b/Branch_3/Conv2d_0b_1x1"]


def random_weights(seed):
    """{variable name: value}: He-scaled conv weights, batch-norm beta/mean/variance (TF-Slim's
    batch_norm has scale=False: no gamma), the logits' weights and biases."""
    rng = np.random.default_rng(seed)
    w, channels = {}, {"input": 3}
    for scope, kind, k, _, _, oc, src in LAYERS:
        ic = channels[src]
        channels[scope] = ic if oc is None else oc
        if kind != "conv":
            continue
        w[f"{scope}/weights"] = rng.normal(0, np.sqrt(2 / (k * k * ic)), (k, k, ic, oc)).astype(np.float32)
        w[f"{scope}/BatchNorm/beta"] = rng.normal(0, 0.1, oc).astype(np.float32)
        w[f"{scope}/BatchNorm/moving_mean"] = rng.normal(0, 0.2, oc).astype(np.float32)
        w[f"{scope}/BatchNorm/moving_variance"] = rng.uniform(0.5, 2.0, oc).astype(np.float32)
    c = sum(channels[s] for s in MIXED_5B)
    w["Logits/Conv2d_1c_1x1/weights"] = rng.normal(0, np.sqrt(1 / c), (1, 1, c, len(CLASSES))).astype(np.float32)
    w["Logits/Conv2d_1c_1x1/biases"] = rng.normal(0, 0.05, len(CLASSES)).astype(np.float32)
    return w


def inception_to_mixed_5b(x, var, ops="InceptionV3/"):
    """The graph, in TF-Slim's names; var(name) gives the variable's tensor. `ops` is the scope
    of the backbone's ops: TF-Slim's own graphs have InceptionV3/InceptionV3/... there (its
    variable scope entered twice), while the variables and the logits keep one InceptionV3/."""
    out = {"input": x}
    for scope, kind, k, stride, padding, oc, src in LAYERS:
        with tf.name_scope(f"{ops}{scope}/"):
            if kind == "conv":
                y = tf.nn.conv2d(out[src], var(f"{scope}/weights"), strides=stride, padding=padding, name="Conv2D")
                y, _, _ = tf.compat.v1.nn.fused_batch_norm(
                    y, tf.ones([oc]), var(f"{scope}/BatchNorm/beta"), var(f"{scope}/BatchNorm/moving_mean"),
                    var(f"{scope}/BatchNorm/moving_variance"), epsilon=0.001, is_training=False,
                    name="BatchNorm/FusedBatchNormV3")
                out[scope] = tf.nn.relu(y, name="Relu")
        if kind != "conv":
            pool = tf.nn.max_pool2d if kind == "max" else tf.nn.avg_pool2d
            with tf.name_scope(f"{ops}{scope.rsplit('/', 1)[0]}/" if "/" in scope else ops):
                out[scope] = pool(out[src], k, stride, padding, name=scope.rsplit("/", 1)[-1])
    with tf.name_scope(f"{ops}Mixed_5b/"):
        net = tf.concat([out[s] for s in MIXED_5B], axis=3, name="concat")
    with tf.name_scope("InceptionV3/Logits/"):
        net = tf.nn.avg_pool2d(net, 35, 1, "VALID", name="AvgPool_1a_8x8")
    with tf.name_scope("InceptionV3/Logits/Conv2d_1c_1x1/"):
        net = tf.nn.conv2d(net, var("Logits/Conv2d_1c_1x1/weights"), 1, "VALID", name="Conv2D")
        net = tf.nn.bias_add(net, var("Logits/Conv2d_1c_1x1/biases"), name="BiasAdd")
    with tf.name_scope("InceptionV3/Logits/"):
        net = tf.squeeze(net, [1, 2], name="SpatialSqueeze")
    with tf.name_scope("InceptionV3/Predictions/"):
        return tf.nn.softmax(net, name="Softmax")


def freeze_tf2(weights):
    variables = {name: tf.Variable(value, name=name.replace("/", "_")) for name, value in weights.items()}
    spec = tf.TensorSpec([None, 299, 299, 3], tf.float32, name="input")
    fn = tf.function(lambda x: inception_to_mixed_5b(x, variables.__getitem__), input_signature=[spec])
    return convert_variables_to_constants_v2(fn.get_concrete_function()).graph.as_graph_def()


def freeze_tf1(weights, ops="InceptionV3/"):
    graph = tf.Graph()
    with graph.as_default():
        variables = {name: tf.compat.v1.Variable(value, name=f"InceptionV3/{name}", use_resource=False)
                     for name, value in weights.items()}
        x = tf.compat.v1.placeholder(tf.float32, [None, 299, 299, 3], name="input")
        inception_to_mixed_5b(x, variables.__getitem__, ops)
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            return tf.compat.v1.graph_util.convert_variables_to_constants(sess, graph.as_graph_def(), ["InceptionV3/Predictions/Softmax"])


def tf_softmax(graph_def, batch):
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.import_graph_def(graph_def, name="")
    with tf.compat.v1.Session(graph=graph) as sess:
        return sess.run("InceptionV3/Predictions/Softmax:0", {"input:0": batch})


def write_model(folder, graph_def):
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / "model.pb").write_bytes(graph_def.SerializeToString())
    (folder / "labels.txt").write_text("".join(f"{i}:{c}\n" for i, c in enumerate(CLASSES)))
    return folder / "model.pb"


def describe(graph_def):
    ops = {}
    for n in graph_def.node:
        ops[n.op] = ops.get(n.op, 0) + 1
    bn = next(n for n in graph_def.node if n.op == "FusedBatchNormV3")
    conv = next(n for n in graph_def.node if n.op == "Conv2D")
    return (f"{len(graph_def.node)} nodes {dict(sorted(ops.items()))}; FusedBatchNormV3 attrs {sorted(bn.attr)}; "
            f"Conv2D attrs {sorted(conv.attr)}; weights read from '{conv.input[1]}'")


def main():
    args = common.parse_args()
    print(f"TensorFlow {tf.__version__}")
    images = common.models(args)["images"]
    weights = random_weights(seed=5)
    for form, graph_def in [("tf2", freeze_tf2(weights)), ("tf1", freeze_tf1(weights)),
                            ("tf1-slim-scope", freeze_tf1(weights, "InceptionV3/InceptionV3/"))]:
        print(f"     {form}: {describe(graph_def)}")
        pb = write_model(args.work / f"tensorflow_{form}", graph_def)
        info = common.blastscan(args, "info", pb)
        common.expect(f"{form}: blastscan imports TensorFlow's graph to Mixed_5b with a 2-class head",
                      "Mixed_5b" in info and "0:Benign" in info, info.splitlines()[1] if len(info.splitlines()) > 1 else info)
        inputs = pb.parent / "inputs"
        common.blastscan(args, "preprocess", "--model", pb, "--out", inputs, *images)
        names = sorted(p.rsplit("/", 1)[-1] for p in images)
        batch = np.concatenate([np.load(inputs / f"{n}.npy") for n in names])
        ours = common.blastscan_probabilities(common.blastscan(args, "classify", "--model", pb, "--no-tile", "--format", "json", *images), CLASSES)
        ours = np.array([ours[n] for n in names])
        theirs = tf_softmax(graph_def, batch)
        common.measured(f"{form}: blastscan vs TensorFlow on TensorFlow's frozen graph, max |diff| over {len(names)} images",
                        np.abs(ours - theirs).max(), TOLERANCE)
        common.expect(f"{form}: probabilities are not saturated", (theirs.max(1) < 0.9999).all(), str(np.round(theirs.max(1), 4).tolist()))

    # Forms blastscan does not run, made by editing one node of TensorFlow's graph (TF would
    # build them too, but not all of them run on its CPU kernels): refused, naming what.
    frozen = freeze_tf2(weights)

    def edit(op, change):
        g = copy.deepcopy(frozen)
        change(next(n for n in g.node if n.op == op))
        return g

    def set_attr(key, **value):
        return lambda n: n.attr[key].CopyFrom(tf.compat.v1.AttrValue(**value))

    def explicit(n):
        n.attr["padding"].s = b"EXPLICIT"
        n.attr["explicit_paddings"].list.i.extend([0, 0, 1, 1, 1, 1, 0, 0])

    def relu6(n):
        n.op = "Relu6"

    for what, graph_def, needle in [
            ("Conv2D data_format NCHW", edit("Conv2D", set_attr("data_format", s=b"NCHW")), "data_format"),
            ("dilated Conv2D", edit("Conv2D", set_attr("dilations", list=tf.compat.v1.AttrValue.ListValue(i=[1, 2, 2, 1]))), "dilations"),
            ("Conv2D padding EXPLICIT", edit("Conv2D", explicit), "EXPLICIT"),
            ("Conv2D of half floats", edit("Conv2D", set_attr("T", type=tf.float16.as_datatype_enum)), "'T'"),
            ("training-mode FusedBatchNormV3", edit("FusedBatchNormV3", set_attr("is_training", b=True)), "is_training"),
            ("FusedBatchNormV3 data_format NCHW", edit("FusedBatchNormV3", set_attr("data_format", s=b"NCHW")), "data_format"),
            ("an op blastscan does not know (Relu6)", edit("Relu", relu6), "Relu6")]:
        r = common.run_blastscan(args, "info", write_model(args.work / "tensorflow_unsupported", graph_def))
        common.expect(f"{what}: refused, naming it", r.returncode == 1 and needle in r.stderr and "node '" in r.stderr,
                      r.stderr.strip() or f"exit {r.returncode}")
    common.finish()


if __name__ == "__main__":
    main()
