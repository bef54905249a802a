"""Fixture of the interop checks (ctest: interop.models): everything blastscan writes that the
real tools then read, made once into WORK/.

- a small training run on the shared backbone (10 taleqani images per class, 65 epochs, the default): a
  4-class model with a head, its TensorBoard events and metrics.csv;
- a full-depth (Mixed_7c) model with seeded random weights and a 2-class head;
- both as ONNX too;
- the network input blastscan computes for a few images (`preprocess`, .npy), and its
  probabilities for them (`classify --format json`).
WORK/models.json says where each thing is.
"""
import json
import shutil

import interop_common as common

PER_CLASS = 10


def main():
    args = common.parse_args()
    work = args.work
    taleqani = args.shared / "data" / "taleqani"
    data = work / "data"
    shutil.rmtree(data, ignore_errors=True)
    for cls in sorted(p.name for p in taleqani.iterdir() if p.is_dir()):
        (data / cls).mkdir(parents=True)
        for image in sorted((taleqani / cls).glob("*.jpg"))[:PER_CLASS]:
            (data / cls / image.name).symlink_to(image)

    run = work / "trained"
    shutil.rmtree(run, ignore_errors=True)
    common.blastscan(args, "train", "--backbone", args.shared / "models" / "inception_v3_imagenet_2015_mixed7a.pb",
                     "--data", data, "--out", run, "--epochs", 65, "--cache", work / "cache", timeout=900)
    full = work / "full_depth.pb"
    common.blastscan(args, "export", "--random", "Mixed_7c", "--classes", 2, "--seed", 7, "--out", full)

    # Inputs: the ImageNet fixture photos and one cell image per class (not from the training set).
    images = sorted((args.shared / "models" / "fixtures").glob("*.jpg"))
    for cls in sorted(p.name for p in taleqani.iterdir() if p.is_dir()):
        images.append(sorted((taleqani / cls).glob("*.jpg"))[-1])

    out = {"images": [str(p) for p in images], "data": str(data), "run": str(run), "models": {}}
    for name, pb in [("trained", run / "model.pb"), ("full_depth", full)]:
        onnx = work / f"{name}.onnx"
        common.blastscan(args, "export", "--model", pb, "--out", onnx)
        inputs = work / f"{name}_inputs"
        shutil.rmtree(inputs, ignore_errors=True)
        common.blastscan(args, "preprocess", "--model", pb, "--out", inputs, *images)
        classes = common.read_labels(pb.parent / "labels.txt")
        # --no-tile: the fixture photos are over twice the network input, which classify would
        # otherwise scan in tiles; the peers see the whole-image network input.
        probs = common.blastscan_probabilities(
            common.blastscan(args, "classify", "--model", pb, "--no-tile", "--format", "json", *images), classes)
        out["models"][name] = {"pb": str(pb), "onnx": str(onnx), "classes": classes,
                               "inputs": {p.name: str(inputs / (p.name + ".npy")) for p in images},
                               "probabilities": probs}
    (work / "models.json").write_text(json.dumps(out, indent=1))
    print(f"wrote {work / 'models.json'}: {len(images)} images, models {', '.join(out['models'])}")


if __name__ == "__main__":
    main()
