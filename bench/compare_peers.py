#!/usr/bin/env python3
"""The Python peers of bench/compare.sh, one family per interpreter:

  compare_peers.py torch   OUT_DIR THREADS BATCH... (Debian's python3-torch: fp32 and int8 (fbgemm)
                           timings of torchvision's Inception V3, plus its ONNX exports into OUT_DIR)
  compare_peers.py onnx    THREADS MODEL_LIST BATCH... (the venv: ONNX Runtime and OpenVINO on
                           every ONNX file of MODEL_LIST, lines "label network path")
  compare_peers.py table   RESULTS_FILE (prints the table)

Timing lines are "RESULT peer network batch ms_per_image". Each timing is 3 warm-up runs,
then the median of $BLASTSCAN_BENCH_RUNS (default 20) runs. A peer that cannot be imported prints "MISSING peer reason".
"""
import os
import statistics
import sys
import time

WARMUP, RUNS = 3, int(os.environ.get("BLASTSCAN_BENCH_RUNS", "20"))
GFLOP = {"full": 11.4, "Mixed_7a": 10.0}  # per image (Inception V3 multiply-adds x 2)


def median_ms(run):
    for _ in range(WARMUP):
        run()
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        run()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def result(peer, network, batch, ms):
    print(f"RESULT {peer} {network} {batch} {ms / batch:.2f}", flush=True)


# ---- PyTorch (Debian) ----------------------------------------------------------------------

def torch_main(out_dir, threads, batches):
    try:
        import torch
        import torchvision
        from torchvision.models import inception_v3
        from torchvision.models.quantization import inception_v3 as quantizable_inception_v3
    except Exception as e:  # noqa: BLE001 - report any import failure as a missing peer
        print(f"MISSING pytorch {type(e).__name__}: {e}", flush=True)
        return
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    print(f"INFO pytorch {torch.__version__} torchvision {torchvision.__version__}", flush=True)
    stem = ["Conv2d_1a_3x3", "Conv2d_2a_3x3", "Conv2d_2b_3x3", "maxpool1", "Conv2d_3b_1x1", "Conv2d_4a_3x3",
            "maxpool2", "Mixed_5b", "Mixed_5c", "Mixed_5d", "Mixed_6a", "Mixed_6b", "Mixed_6c", "Mixed_6d",
            "Mixed_6e", "Mixed_7a"]

    def truncated(m, with_stubs):  # up to Mixed_7a, then the global average (like our backbone)
        layers = [m.quant] if with_stubs else []
        layers += [getattr(m, name) for name in stem] + [m.avgpool, torch.nn.Flatten()]
        layers += [m.dequant] if with_stubs else []
        return torch.nn.Sequential(*layers).eval()

    def fp32_model(network):
        m = inception_v3(weights=None, aux_logits=False, init_weights=False, num_classes=2).eval()
        return m if network == "full" else truncated(m, False)

    def int8_model(network):
        m = quantizable_inception_v3(weights=None, quantize=False, aux_logits=False, init_weights=False,
                                     num_classes=2).eval()
        m.fuse_model()
        torch.backends.quantized.engine = engine
        q = m if network == "full" else truncated(m, True)
        q.qconfig = torch.ao.quantization.get_default_qconfig(engine)
        torch.ao.quantization.prepare(q, inplace=True)
        with torch.no_grad():
            for _ in range(4):  # random data: for timing only
                q(torch.rand(2, 3, 299, 299) * 2 - 1)
        torch.ao.quantization.convert(q, inplace=True)
        return q

    # fbgemm where this torch has it (Debian 12's python3-torch 1.13 is built without it: then
    # its x86 alternative, oneDNN); the engine is part of the peer's name.
    engines = torch.backends.quantized.supported_engines
    engine = next((e for e in ("fbgemm", "onednn", "qnnpack") if e in engines), None)
    for network in ("full", "Mixed_7a"):
        model = fp32_model(network)
        path = f"{out_dir}/torchvision_{network}.onnx"
        torch.onnx.export(model, torch.zeros(1, 3, 299, 299), path, opset_version=13, input_names=["input"],
                          output_names=["output"], dynamic_axes={"input": {0: "n"}, "output": {0: "n"}})
        print(f"ONNX torchvision {network} {path}", flush=True)
        with torch.no_grad():
            for batch in batches:
                x = torch.rand(batch, 3, 299, 299) * 2 - 1
                result("pytorch-fp32", network, batch, median_ms(lambda: model(x)))
        if engine is None:
            print(f"MISSING pytorch-int8 no quantized engine in {engines}", flush=True)
            continue
        qmodel = int8_model(network)
        with torch.no_grad():
            for batch in batches:
                x = torch.rand(batch, 3, 299, 299) * 2 - 1
                result(f"pytorch-int8-{engine}", network, batch, median_ms(lambda: qmodel(x)))


# ---- ONNX Runtime and OpenVINO (venv) -------------------------------------------------------

def onnx_main(threads, model_list, batches):
    import numpy as np
    models = [line.split() for line in open(model_list) if line.strip()]
    try:
        import onnxruntime as ort
        print(f"INFO onnxruntime {ort.__version__}", flush=True)
    except Exception as e:  # noqa: BLE001
        ort = None
        print(f"MISSING onnxruntime {type(e).__name__}: {e}", flush=True)
    try:
        import openvino as ov
        print(f"INFO openvino {ov.__version__}", flush=True)
    except Exception as e:  # noqa: BLE001
        ov = None
        print(f"MISSING openvino {type(e).__name__}: {e}", flush=True)
    for label, network, path in models:
        if ort:
            so = ort.SessionOptions()
            so.intra_op_num_threads, so.inter_op_num_threads = threads, 1
            session = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
            name, shape = session.get_inputs()[0].name, session.get_inputs()[0].shape
            for batch in batches:
                x = np.random.default_rng(1).uniform(-1, 1, [batch] + [int(d) for d in shape[1:]]).astype(np.float32)
                result(f"onnxruntime-{label}", network, batch, median_ms(lambda: session.run(None, {name: x})))
        if ov:
            core = ov.Core()
            for batch in batches:
                model = core.read_model(path)
                shape = [batch] + [int(d) for d in model.inputs[0].get_partial_shape()[1:].to_shape()]
                model.reshape({model.inputs[0]: shape})
                compiled = core.compile_model(model, "CPU", {"INFERENCE_NUM_THREADS": threads,
                                                             "PERFORMANCE_HINT": "LATENCY", "NUM_STREAMS": 1})
                request = compiled.create_infer_request()
                x = np.random.default_rng(1).uniform(-1, 1, shape).astype(np.float32)
                result(f"openvino-{label}", network, batch, median_ms(lambda: request.infer({0: x})))


# ---- the table ------------------------------------------------------------------------------

def table_main(results_file):
    runs, notes = {}, []
    for line in open(results_file):
        parts = line.split()
        if parts and parts[0] == "RESULT":
            peer, network, batch, ms = parts[1], parts[2], int(parts[3]), float(parts[4])
            runs.setdefault((network, batch), {}).setdefault(peer, []).append(ms)
        elif parts and parts[0] in ("MISSING", "INFO", "LOAD"):
            notes.append(line.rstrip())
    for note in dict.fromkeys(notes):
        print(note)
    baseline = "onnxruntime-torchvision"
    for (network, batch) in sorted(runs, key=lambda k: (k[0] != "full", k[1])):
        peers = runs[(network, batch)]
        base = statistics.median(peers[baseline]) if baseline in peers else None
        print(f"\n{network}, batch {batch} (median over rounds; ratio = ms / ONNX Runtime fp32 on torchvision's ONNX)")
        print(f"  {'peer':36s} {'ms/image':>9s} {'GFLOP/s':>8s} {'ratio':>6s} {'rounds':>6s}")
        for peer, values in sorted(peers.items(), key=lambda kv: statistics.median(kv[1])):
            ms = statistics.median(values)
            ratio = f"{ms / base:6.2f}" if base else "     -"
            print(f"  {peer:36s} {ms:9.1f} {GFLOP[network] * 1000 / ms:8.1f} {ratio} {len(values):6d}")


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "torch":
        torch_main(sys.argv[2], int(sys.argv[3]), [int(b) for b in sys.argv[4:]])
    elif mode == "onnx":
        onnx_main(int(sys.argv[2]), sys.argv[3], [int(b) for b in sys.argv[4:]])
    elif mode == "table":
        table_main(sys.argv[2])
    else:
        sys.exit(f"compare_peers.py: unknown mode {mode}")
