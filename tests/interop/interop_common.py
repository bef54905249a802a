"""What the interop checks share: where things are, running blastscan, and reporting each
measured difference next to its tolerance (the numbers the README and the closing note quote).

Every script is run by tests/interop/run.sh in the venv of scripts/python_env.sh, as
    SCRIPT --blastscan BUILD/blastscan --work BUILD/interop [--shared SHARED]
The shared weights and data come from --shared, else $BLASTSCAN_SHARED, else ../shared beside
the checkout, as for the C++ tests.
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys


def parse_args(extra=None):
    p = argparse.ArgumentParser()
    p.add_argument("--blastscan", required=True, type=pathlib.Path)
    default_shared = os.environ.get("BLASTSCAN_SHARED") or pathlib.Path(__file__).resolve().parents[2].parent / "shared"
    p.add_argument("--shared", default=default_shared, type=pathlib.Path)
    p.add_argument("--work", required=True, type=pathlib.Path, help="folder shared by the checks (models, inputs)")
    if extra:
        extra(p)
    args = p.parse_args()
    if not (args.shared / "models").is_dir():
        sys.exit(f"{args.shared}: the shared weights and data are not there (set BLASTSCAN_SHARED or --shared)")
    args.work = args.work.resolve()
    args.work.mkdir(parents=True, exist_ok=True)
    return args


def run_blastscan(args, *argv, timeout=600):
    """Runs blastscan; returns the CompletedProcess (text stdout and stderr)."""
    return subprocess.run([str(args.blastscan), *map(str, argv)], capture_output=True, text=True, timeout=timeout)


def blastscan(args, *argv, timeout=600):
    """Runs blastscan, which must succeed; returns stdout. A failure shows the command and its stderr."""
    r = run_blastscan(args, *argv, timeout=timeout)
    if r.returncode != 0:
        sys.exit(f"FAILED: {' '.join(r.args)} exited {r.returncode}:\n{r.stderr}")
    return r.stdout


_failures = []


def measured(what, value, tolerance):
    """Prints one measured difference and records a failure if it exceeds the tolerance."""
    ok = value <= tolerance
    print(f"{'ok  ' if ok else 'FAIL'} {what}: {value:.3g} (tolerance {tolerance:.3g})", flush=True)
    if not ok:
        _failures.append(what)


def expect(what, condition, detail=""):
    print(f"{'ok  ' if condition else 'FAIL'} {what}{': ' + detail if detail else ''}", flush=True)
    if not condition:
        _failures.append(what)


def finish():
    if _failures:
        sys.exit(f"{len(_failures)} check(s) failed: " + "; ".join(_failures))
    print("all checks passed")


def models(args):
    """The models, inputs and blastscan outputs that make_models.py wrote."""
    path = args.work / "models.json"
    if not path.exists():
        sys.exit(f"{path} is missing: the interop.models fixture did not run")
    return json.loads(path.read_text())


def blastscan_probabilities(classify_json, classes):
    """{image file name: [p_0, ..., p_K-1]} in the model's class order, from `classify --format json`."""
    doc = json.loads(classify_json)
    out = {}
    for row in doc["images"]:
        if "error" in row:
            sys.exit(f"blastscan could not classify {row['path']}: {row['error']}")
        out[os.path.basename(row["path"])] = [row["probabilities"][c] for c in classes]
    return out


def read_labels(path):
    """labels.txt in the seed's '0:name' form -> [name, ...]."""
    pairs = [line.split(":", 1) for line in pathlib.Path(path).read_text().splitlines() if line.strip()]
    return [name for _, name in sorted((int(i), name) for i, name in pairs)]
