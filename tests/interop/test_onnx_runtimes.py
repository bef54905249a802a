"""ONNX Runtime and OpenVINO run blastscan's ONNX (the trained model and the full-depth random
model): onnx.checker with full_check (shape inference included), then ONNX Runtime's CPU
provider and OpenVINO's CPU device on blastscan's own network inputs, probabilities within
1e-4 of blastscan's. OpenVINO also reads the frozen .pb directly (its TensorFlow frontend,
ov.convert_model). OpenVINO is held to f32 (INFERENCE_PRECISION_HINT): on CPUs with bf16 it
may otherwise pick bf16, which is a different computation, not a reading error."""
import numpy as np
import onnx
import onnxruntime
import openvino as ov

import interop_common as common

TOLERANCE = 1e-4


def check_model(name, m, core):
    files = sorted(m["inputs"])
    batch = np.concatenate([np.load(m["inputs"][f]) for f in files])
    expected = np.array([m["probabilities"][f] for f in files], dtype=np.float64)

    model = onnx.load(m["onnx"])
    try:
        onnx.checker.check_model(model, full_check=True)
        common.expect(f"{name}: onnx.checker full check", True, f"opset {model.opset_import[0].version}, {len(model.graph.node)} nodes")
    except onnx.checker.ValidationError as e:
        common.expect(f"{name}: onnx.checker full check", False, str(e).splitlines()[0])
    meta = {p.key: p.value for p in model.metadata_props}
    common.expect(f"{name}: ONNX metadata_props carry the classes", "classes" in meta and all(c in meta["classes"] for c in m["classes"]))

    session = onnxruntime.InferenceSession(m["onnx"], providers=["CPUExecutionProvider"])
    ort = np.concatenate([session.run(None, {"input": x[None]})[0] for x in batch])
    common.measured(f"{name}: ONNX Runtime CPU vs blastscan, max |diff| over {len(files)} images", np.abs(ort - expected).max(), TOLERANCE)
    ort_batch = session.run(None, {"input": batch})[0]
    common.measured(f"{name}: ONNX Runtime batch of {len(files)} vs blastscan", np.abs(ort_batch - expected).max(), TOLERANCE)

    config = {"INFERENCE_PRECISION_HINT": "f32"}
    compiled = core.compile_model(core.read_model(m["onnx"]), "CPU", config)
    out = np.concatenate([compiled({"input": x[None]})[compiled.output(0)] for x in batch])
    common.measured(f"{name}: OpenVINO CPU (ONNX) vs blastscan", np.abs(out - expected).max(), TOLERANCE)

    # The frozen GraphDef through OpenVINO's TensorFlow frontend, fetching the Softmax by name.
    tf_model = ov.convert_model(m["pb"])
    in_names = [n for i in tf_model.inputs for n in i.get_names()]
    out_names = [n for o in tf_model.outputs for n in o.get_names()]
    common.expect(f"{name}: OpenVINO finds the .pb's input and Softmax output by their TF names",
                  in_names == ["input:0"] and "InceptionV3/Predictions/Softmax:0" in out_names, f"inputs {in_names}, outputs {out_names}")
    compiled = core.compile_model(tf_model, "CPU", config)
    out = np.concatenate([compiled([x[None]])[compiled.output(0)] for x in batch])
    common.measured(f"{name}: OpenVINO CPU (frozen .pb, TF frontend) vs blastscan", np.abs(out - expected).max(), TOLERANCE)


def main():
    args = common.parse_args()
    print(f"onnx {onnx.__version__}, ONNX Runtime {onnxruntime.__version__}, OpenVINO {ov.__version__}")
    core = ov.Core()
    for name, m in common.models(args)["models"].items():
        check_model(name, m, core)
    common.finish()


if __name__ == "__main__":
    main()
