"""The seed's client works unchanged against `blastscan serve`: like its Client.py, each image is
read with cv2.imread, encoded with cv2.imencode('.png'), sent with
requests.post(addr, data=..., headers={'content-type': 'image/jpeg'}) and answered through
json.loads(response.text)["Message"]. The server runs the fixture's trained model twice, with
--threshold 0 (nothing is LOW) and 1 (everything is), so every wording is met:
"ALL [not ]detected with a [LOW ]confidence of X in T". Each answer must name the class and
confidence that `blastscan classify` gives for the same image (PNG is lossless), and say
"not" exactly for the classes the model does not count as ALL."""
import json
import re
import subprocess
import time

import cv2
import requests

import interop_common as common

MESSAGE = re.compile(r"^ALL (not )?detected with a (LOW )?confidence of ([0-9.e-]+) in ([0-9.]+)$")


def start_server(args, model, threshold):
    server = subprocess.Popen([str(args.blastscan), "serve", "--model", model, "--host", "127.0.0.1", "--port", "0",
                               "--threshold", str(threshold)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    for line in server.stdout:  # the first lines say where it listens
        if m := re.search(r"listening on (http://127\.0\.0\.1:\d+)/", line):
            addr = m.group(1)
            break
        if time.monotonic() > deadline:
            break
    else:
        raise SystemExit(f"blastscan serve did not say where it listens (exit {server.wait()})")
    while time.monotonic() < deadline:
        try:
            if requests.get(addr + "/health", timeout=5).status_code == 200:
                return server, addr
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    server.kill()
    raise SystemExit("blastscan serve was not ready within 60 s")


def seed_client(addr, path):
    """What the seed's Client.py does for one image."""
    img = cv2.imread(path)
    _, img_encoded = cv2.imencode(".png", img)
    response = requests.post(addr + "/Inference", data=img_encoded.tobytes(), headers={"content-type": "image/jpeg"}, timeout=60)
    return response, json.loads(response.text)


def main():
    args = common.parse_args()
    print(f"requests {requests.__version__}, OpenCV {cv2.__version__}")
    fixture = common.models(args)
    model = fixture["models"]["trained"]["pb"]
    # The fixture images, plus one training image per class (the model knows those best, so
    # both ALL and not-ALL answers occur).
    manifest = json.loads(open(f"{fixture['run']}/manifest.json").read())
    first_train = {}
    for s in manifest["samples"]:
        if s["split"] == "train":
            first_train.setdefault(s["class"], f"{fixture['run']}/{s['path']}")
    images = fixture["images"] + sorted(first_train.values())
    forms, wrong = set(), []
    for threshold in (0, 1):
        # The server scans a slide-sized upload in tiles by classify's rule (the fixture photos are
        # over twice the network input), so classify's default answers at the same threshold (the
        # slide rule counts the tiles at or above it) are the expected ones.
        expected = {row["path"]: row for row in json.loads(common.blastscan(
            args, "classify", "--model", model, "--threshold", str(threshold), "--format", "json", *images))["images"]}
        server, addr = start_server(args, model, threshold)
        try:
            positive = set(requests.get(addr + "/model", timeout=10).json()["positive"])
            for path in images:
                response, answer = seed_client(addr, path)
                message, want = answer["Message"], expected[path]
                m = MESSAGE.match(message)
                if response.status_code != 200 or not m:
                    wrong.append(f"{path}: HTTP {response.status_code}, Message {message!r}")
                    continue
                not_detected, low, confidence = bool(m.group(1)), bool(m.group(2)), float(m.group(3))
                forms.add((not_detected, low))
                if answer["Classification"] != want["class"] or abs(confidence - want["confidence"]) > 1e-6:
                    wrong.append(f"{path}: server says {answer['Classification']} {confidence}, classify {want['class']} {want['confidence']}")
                if not_detected != (want["class"] not in positive):
                    wrong.append(f"{path}: {message!r} for class {want['class']} (ALL classes {sorted(positive)})")
                if low != (confidence < threshold):
                    wrong.append(f"{path}: {message!r} at threshold {threshold}")
        finally:
            server.terminate()
            server.wait(timeout=30)
    common.expect(f"{2 * len(images)} seed-client requests answered in the seed's words, as classify", not wrong, "; ".join(wrong[:4]))
    common.expect("every wording occurred (ALL / not ALL, with and without LOW)", len(forms) == 4, str(sorted(forms)))
    common.finish()


if __name__ == "__main__":
    main()
