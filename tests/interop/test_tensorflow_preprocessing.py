"""blastscan's evaluation preprocessing against TF-Slim's written in TensorFlow ops
(inception_preprocessing.preprocess_for_eval): decode, convert_image_dtype to [0,1],
tf.image.central_crop(0.875), bilinear resize to 299x299, (x - 0.5) * 2.

TF-Slim (TF1) resizes with tf.compat.v1.image.resize_bilinear(align_corners=False), which maps
output pixel i to input i*scale: no half-pixel centres, so the image shifts by up to half an
input pixel towards the top left. TF2's tf.image.resize and OpenCV's INTER_LINEAR use half-pixel
centres ((i+0.5)*scale-0.5). blastscan follows the half-pixel form (as the shared backbone's
fixtures and OpenCV DNN do); this check measures both differences and what the TF1 form changes
in the trained model's probabilities. JPEGs are decoded with dct_method INTEGER_ACCURATE so
both sides start from the same pixels (OpenCV decodes with libjpeg's ISLOW)."""
import numpy as np
import tensorflow as tf

import interop_common as common

HALF_PIXEL_TOLERANCE = 1e-4


def tf_slim_eval(path, half_pixel):
    image = tf.io.decode_jpeg(tf.io.read_file(path), channels=3, dct_method="INTEGER_ACCURATE")
    image = tf.image.convert_image_dtype(image, tf.float32)
    image = tf.image.central_crop(image, central_fraction=0.875)[None]
    if half_pixel:
        image = tf.image.resize(image, [299, 299], method="bilinear", antialias=False)
    else:
        image = tf.compat.v1.image.resize_bilinear(image, [299, 299], align_corners=False)
    return ((image - 0.5) * 2.0).numpy()


def softmax_of(pb, batch):
    graph_def = tf.compat.v1.GraphDef()
    graph_def.ParseFromString(open(pb, "rb").read())
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.import_graph_def(graph_def, name="")
    with tf.compat.v1.Session(graph=graph) as sess:
        return sess.run("InceptionV3/Predictions/Softmax:0", {"input:0": batch})


def main():
    args = common.parse_args()
    print(f"TensorFlow {tf.__version__}")
    fixture = common.models(args)
    m = fixture["models"]["trained"]
    images = sorted(fixture["images"])
    ours = np.concatenate([np.load(m["inputs"][p.rsplit("/", 1)[-1]]) for p in images])
    half = np.concatenate([tf_slim_eval(p, True) for p in images])
    tf1 = np.concatenate([tf_slim_eval(p, False) for p in images])
    d_half, d_tf1 = np.abs(ours - half).max(), np.abs(ours - tf1).max()
    common.measured(f"blastscan vs TF ops with tf.image.resize (half-pixel), max |diff| over {len(images)} images", d_half, HALF_PIXEL_TOLERANCE)
    print(f"     blastscan vs TF-Slim's TF1 resize_bilinear: max |diff| {d_tf1:.3g}, mean |diff| {np.abs(ours - tf1).mean():.3g} (in [-1,1] units)")
    common.expect("the TF1 form is a different convention (differs more than the half-pixel form)", d_tf1 > 10 * max(d_half, 1e-6))
    probs_ours, probs_tf1 = softmax_of(m["pb"], ours), softmax_of(m["pb"], tf1)
    print(f"     trained model: probabilities with TF1-resized input vs blastscan's input: max |diff| {np.abs(probs_ours - probs_tf1).max():.3g}")
    common.finish()


if __name__ == "__main__":
    main()
