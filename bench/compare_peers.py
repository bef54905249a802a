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


def failure(e):
    return " ".join(f"{type(e).__name__}: {e}".split())[:160]


def prepared(peer, network, setup):
    """setup(), or None after printing "MISSING peer network - reason" when it fails."""
    try:
        return setup()
    except Exception as e:  # noqa: BLE001 - any failure of a peer is reported, not fatal
        print(f"MISSING {peer} {network} - {failure(e)}", flush=True)
        return None


def timed(peer, network, batch, run):
    """Prints "RESULT peer network batch ms_per_image", or "MISSING peer network batch reason" when
    the peer fails on this input (the other measurements still run)."""
    try:
        ms = median_ms(run)
    except Exception as e:  # noqa: BLE001 - any failure of a peer is reported, not fatal
        print(f"MISSING {peer} {network} {batch} {failure(e)}", flush=True)
        return
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
    # Both ONNX exports first: the ONNX peers need them even if a PyTorch timing below fails.
    models = {network: fp32_model(network) for network in ("full", "Mixed_7a")}
    for network, model in models.items():
        path = f"{out_dir}/torchvision_{network}.onnx"
        torch.onnx.export(model, torch.zeros(1, 3, 299, 299), path, opset_version=13, input_names=["input"],
                          output_names=["output"], dynamic_axes={"input": {0: "n"}, "output": {0: "n"}})
        print(f"ONNX torchvision {network} {path}", flush=True)
    for network, model in models.items():
        with torch.no_grad():
            for batch in batches:
                x = torch.rand(batch, 3, 299, 299) * 2 - 1
                timed("pytorch-fp32", network, batch, lambda: model(x))
        if engine is None:
            print(f"MISSING pytorch-int8 {network} - no quantized engine in {engines}", flush=True)
            continue
        qmodel = prepared(f"pytorch-int8-{engine}", network, lambda: int8_model(network))
        if qmodel is None:
            continue
        with torch.no_grad():
            for batch in batches:
                x = torch.rand(batch, 3, 299, 299) * 2 - 1
                timed(f"pytorch-int8-{engine}", network, batch, lambda: qmodel(x))


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
            session = prepared(f"onnxruntime-{label}", network, lambda: ort_session(ort, path, threads))
            for batch in batches if session else []:
                name, shape = session.get_inputs()[0].name, session.get_inputs()[0].shape
                x = np.random.default_rng(1).uniform(-1, 1, [batch] + [int(d) for d in shape[1:]]).astype(np.float32)
                timed(f"onnxruntime-{label}", network, batch, lambda: session.run(None, {name: x}))
        # OpenVINO picks bf16 by itself on a CPU with AVX512-BF16 or AMX: its fp32 row asks for f32
        # (the comparable one), its bf16 row for bf16 (beside blastscan-bf16).
        for precision in ("f32", "bf16") if ov else ():
            peer = f"openvino-{label}" if precision == "f32" else f"openvino-bf16-{label}"
            for batch in batches:
                request = prepared(peer, network, lambda: ov_request(ov, path, batch, threads, precision))
                if request:
                    x = np.random.default_rng(1).uniform(-1, 1, request.get_input_tensor().shape).astype(np.float32)
                    timed(peer, network, batch, lambda: request.infer({0: x}))


def ort_session(ort, path, threads):
    so = ort.SessionOptions()
    so.intra_op_num_threads, so.inter_op_num_threads = threads, 1
    return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])


def ov_request(ov, path, batch, threads, precision):
    core = ov.Core()
    model = core.read_model(path)
    shape = [batch] + [int(d) for d in model.inputs[0].get_partial_shape()[1:].to_shape()]
    model.reshape({model.inputs[0]: shape})
    compiled = core.compile_model(model, "CPU", {"INFERENCE_NUM_THREADS": threads, "PERFORMANCE_HINT": "LATENCY",
                                                 "NUM_STREAMS": 1, "INFERENCE_PRECISION_HINT": precision})
    return compiled.create_infer_request()


# ---- the table ------------------------------------------------------------------------------

# Every peer the table should have; one without a row in a section is listed there as MISSING
# with the reason its run printed.
EXPECTED = ["blastscan-fp32", "blastscan-bf16", "blastscan-int8", "onnxruntime-blastscan", "onnxruntime-torchvision",
            "openvino-blastscan", "openvino-torchvision", "openvino-bf16-blastscan", "openvino-bf16-torchvision",
            "opencv-dnn-4.6", "pytorch-fp32", "pytorch-int8"]


def missing_reason(missing, peer, network, batch):
    """The reason of the most specific MISSING line for this peer and section, else None."""
    for (name, net, b), reason in missing.items():
        if net == network and b in (str(batch), "-") and name.startswith(peer):
            return reason
    for (name, net, b), reason in missing.items():
        if net is None and any(peer.startswith(n) for n in name.split("+")):
            return reason
    return None


def table_main(results_file):
    runs, notes, missing = {}, [], {}
    for line in open(results_file):
        parts = line.split()
        if parts and parts[0] == "RESULT":
            peer, network, batch, ms = parts[1], parts[2], int(parts[3]), float(parts[4])
            runs.setdefault((network, batch), {}).setdefault(peer, []).append(ms)
        elif parts and parts[0] == "MISSING":
            if len(parts) >= 4 and parts[2] in GFLOP:  # "MISSING peer network batch|- reason"
                missing.setdefault((parts[1], parts[2], parts[3]), " ".join(parts[4:]))
            else:  # "MISSING peer reason": the whole peer
                missing.setdefault((parts[1].rstrip(":"), None, None), " ".join(parts[2:]))
        elif parts and parts[0] in ("INFO", "LOAD"):
            notes.append(line.rstrip())
    for note in dict.fromkeys(notes):
        print(note)
    batches = sorted({b for (_, b) in runs} or {1, 8})
    baseline = "onnxruntime-torchvision"
    for network in GFLOP:
        for batch in batches:
            peers = runs.get((network, batch), {})
            base = statistics.median(peers[baseline]) if baseline in peers else None
            print(f"\n{network}, batch {batch} (median over rounds; ratio = ms / ONNX Runtime fp32 on torchvision's ONNX)")
            print(f"  {'peer':36s} {'ms/image':>9s} {'GFLOP/s':>8s} {'ratio':>6s} {'rounds':>6s}")
            for peer, values in sorted(peers.items(), key=lambda kv: statistics.median(kv[1])):
                ms = statistics.median(values)
                ratio = f"{ms / base:6.2f}" if base else "     -"
                print(f"  {peer:36s} {ms:9.1f} {GFLOP[network] * 1000 / ms:8.1f} {ratio} {len(values):6d}")
            for peer in EXPECTED:
                if not any(p.startswith(peer) for p in peers):
                    reason = missing_reason(missing, peer, network, batch) or "no result (see the logs in the --out folder)"
                    print(f"  {peer:36s} MISSING: {reason}")


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
