"""TensorFlow reads the TFRecord shards of `blastscan prepare --tfrecord`: tf.data.TFRecordDataset
(which checks every record's masked CRC-32C) and tf.io.parse_single_example with the seed's
TF-Slim keys read every record of every shard; each record's image/encoded bytes are the bytes of
one manifest image (by sha256), its label, format, height and width are right, and TensorFlow's
own decoder gives an image of that size with the same pixels as OpenCV's (for JPEG with
dct_method INTEGER_ACCURATE, libjpeg's ISLOW as OpenCV uses; TF's default INTEGER_FAST differs
from it by up to 14-20 levels on these cells, a property of the decoder, not of the bytes)."""
import hashlib
import json
import pathlib
import shutil

import cv2
import numpy as np
import tensorflow as tf

import interop_common as common

FEATURES = {
    "image/encoded": tf.io.FixedLenFeature([], tf.string),
    "image/format": tf.io.FixedLenFeature([], tf.string),
    "image/class/label": tf.io.FixedLenFeature([], tf.int64),
    "image/height": tf.io.FixedLenFeature([], tf.int64),
    "image/width": tf.io.FixedLenFeature([], tf.int64),
}


def make_dataset(args, root):
    """The fixture's small taleqani subset, plus one PNG per class so both formats are written."""
    shutil.rmtree(root, ignore_errors=True)
    for cls_dir in sorted(pathlib.Path(common.models(args)["data"]).iterdir()):
        (root / cls_dir.name).mkdir(parents=True)
        images = sorted(cls_dir.glob("*.jpg"))
        for image in images[:-1]:
            (root / cls_dir.name / image.name).symlink_to(image.resolve())
        bgr = cv2.imread(str(images[-1]))
        cv2.imwrite(str(root / cls_dir.name / (images[-1].stem + ".png")), bgr[: bgr.shape[0] // 2])


def main():
    args = common.parse_args()
    print(f"TensorFlow {tf.__version__}")
    data, out = args.work / "tfrecord_data", args.work / "tfrecord_prepared"
    make_dataset(args, data)
    shutil.rmtree(out, ignore_errors=True)
    common.blastscan(args, "prepare", data, "--out", out, "--tfrecord", "--shards", 3)
    manifest = json.loads((out / "manifest.json").read_text())
    by_hash = {s["hash"]: s for s in manifest["samples"]}
    shards = sorted(out.rglob("*.tfrecord"))
    common.expect("prepare wrote train and validation shards", len(shards) == 6, f"{len(shards)} shards")

    seen, wrong = set(), []
    pixel_diff = 0
    for shard in shards:
        split = "validation" if "_validation_" in shard.name else "train"
        for record in tf.data.TFRecordDataset(str(shard)):
            ex = tf.io.parse_single_example(record, FEATURES)
            encoded = ex["image/encoded"].numpy()
            sample = by_hash.get(hashlib.sha256(encoded).hexdigest())
            if sample is None:
                wrong.append(f"{shard.name}: a record whose bytes are no manifest image")
                continue
            seen.add(sample["hash"])
            path = (out / sample["path"]).resolve()
            if encoded != path.read_bytes():
                wrong.append(f"{path}: bytes differ")
            fmt = ex["image/format"].numpy().decode()
            if fmt != ("jpg" if path.suffix == ".jpg" else "png") or sample["split"] != split:
                wrong.append(f"{path}: format '{fmt}', in the {split} shards, manifest split {sample['split']}")
            if ex["image/class/label"].numpy() != sample["label"]:
                wrong.append(f"{path}: label {ex['image/class/label'].numpy()}, manifest {sample['label']}")
            decoded = (tf.io.decode_jpeg(encoded, channels=3, dct_method="INTEGER_ACCURATE") if fmt == "jpg"
                       else tf.io.decode_png(encoded, channels=3)).numpy()
            if decoded.shape[:2] != (ex["image/height"].numpy(), ex["image/width"].numpy()):
                wrong.append(f"{path}: decoded {decoded.shape}, record says {ex['image/height'].numpy()}x{ex['image/width'].numpy()}")
            reference = cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)
            if reference.shape == decoded.shape:
                pixel_diff = max(pixel_diff, int(np.abs(reference.astype(int) - decoded.astype(int)).max()))
    common.expect("every record parses and matches its manifest image", not wrong, "; ".join(wrong[:5]))
    common.expect("every manifest image is in a record", seen == set(by_hash), f"{len(seen)} of {len(by_hash)} images")
    common.measured("TF decode_jpeg/decode_png vs OpenCV imread of the same bytes, max |pixel diff|", pixel_diff, 0)
    common.finish()


if __name__ == "__main__":
    main()
