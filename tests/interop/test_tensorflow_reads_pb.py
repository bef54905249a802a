"""TensorFlow reads blastscan's frozen GraphDef: tf.compat.v1.import_graph_def, then sess.run on
InceptionV3/Predictions/Softmax:0 with blastscan's own network input (preprocess .npy), for the
trained model (shared backbone + head) and the full-depth random model. The probabilities must
agree with blastscan's within 1e-4, one image at a time and as one batch, and the node names a
TF-Slim user feeds or fetches must exist."""
import numpy as np
import tensorflow as tf

import interop_common as common

TOLERANCE = 1e-4
SLIM_NAMES = ["input", "InceptionV3/Conv2d_1a_3x3/Conv2D", "InceptionV3/Mixed_5b/concat", "InceptionV3/Mixed_6e/concat",
              "InceptionV3/Mixed_7a/concat", "InceptionV3/Logits/AvgPool_1a_8x8", "InceptionV3/Logits/Conv2d_1c_1x1/weights",
              "InceptionV3/Logits/SpatialSqueeze", "InceptionV3/Predictions/Softmax", "InceptionV3/Predictions/Reshape_1"]


def check_model(name, m):
    graph_def = tf.compat.v1.GraphDef()
    graph_def.ParseFromString(open(m["pb"], "rb").read())
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.import_graph_def(graph_def, name="")
    names = {op.name for op in graph.get_operations()}
    wanted = SLIM_NAMES + (["InceptionV3/Mixed_7b/concat", "InceptionV3/Mixed_7c/concat"] if name == "full_depth" else [])
    missing = [n for n in wanted if n not in names]
    common.expect(f"{name}: TF-Slim node names present in TensorFlow's graph", not missing, f"missing {missing}" if missing else f"{len(wanted)} names")
    pooled = graph.get_tensor_by_name("InceptionV3/Logits/AvgPool_1a_8x8:0")
    common.expect(f"{name}: AvgPool_1a_8x8 is [N,1,1,C]", pooled.shape.as_list()[1:3] == [1, 1], str(pooled.shape))

    files = sorted(m["inputs"])
    batch = np.concatenate([np.load(m["inputs"][f]) for f in files])
    expected = np.array([m["probabilities"][f] for f in files], dtype=np.float64)
    with tf.compat.v1.Session(graph=graph) as sess:
        one_by_one = np.concatenate([sess.run("InceptionV3/Predictions/Softmax:0", {"input:0": x[None]}) for x in batch])
        batched, reshaped = sess.run(["InceptionV3/Predictions/Softmax:0", "InceptionV3/Predictions/Reshape_1:0"], {"input:0": batch})
    common.measured(f"{name}: TF vs blastscan probabilities, max |diff| over {len(files)} images", np.abs(one_by_one - expected).max(), TOLERANCE)
    common.measured(f"{name}: TF batch of {len(files)} vs blastscan", np.abs(batched - expected).max(), TOLERANCE)
    common.measured(f"{name}: Reshape_1 equals Softmax", np.abs(reshaped - batched).max(), 0.0)
    common.expect(f"{name}: same top class for every image", (batched.argmax(1) == expected.argmax(1)).all())
    # A model whose outputs are all one-hot would agree trivially: the probabilities must be spread.
    common.expect(f"{name}: probabilities are not saturated", (expected.max(1) < 0.9999).any(), f"top probabilities {np.round(expected.max(1), 4).tolist()}")


def main():
    args = common.parse_args()
    print(f"TensorFlow {tf.__version__}")
    for name, m in common.models(args)["models"].items():
        check_model(name, m)
    common.finish()


if __name__ == "__main__":
    main()
