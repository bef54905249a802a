#!/usr/bin/env bash
# Creates (or reuses) a Python virtual environment with the test and benchmark peers that Debian
# does not ship: TensorFlow, TensorBoard, ONNX Runtime, OpenVINO, ONNX. They are oracles only;
# blastscan itself builds from Debian packages.
#
#   scripts/python_env.sh [--check] VENV_DIR [PACKAGE...]
#
# PACKAGE names come from the pin table below (default: all of them), so a benchmark can ask
# for just `onnxruntime openvino`. Nothing is written inside the repository: VENV_DIR is
# normally build/venv. A venv that already has the requested pins is reused without touching
# the network. Exit status: 0 ready, 77 the package index cannot be reached (ctest reports
# the test SKIPPED with that reason), 1 anything else (the index answered but an install failed).
# --check installs nothing and never touches the network: 0 if VENV_DIR has the pins, else 77
# (the tests that use a venv made by an earlier step skip at once instead of asking the index
# again).
#
# Python: Debian 12's /usr/bin/python3 (3.11, with python3-venv from scripts/setup.sh), not
# whichever python3 is first on PATH (a pyenv shim here), so a fresh Debian machine and CI get
# the interpreter these pins were checked on. Set PYTHON to override.
set -euo pipefail

# Checked together on Python 3.11 (cp311 wheels); README "Interoperability" lists them too.
declare -A pins=(
  [tensorflow-cpu]=2.21.0
  [tensorboard]=2.21.0
  [onnxruntime]=1.32.0
  [openvino]=2026.4.1
  [onnx]=1.23.2
  [numpy]=2.4.6
  [opencv-python-headless]=4.14.0.94
  [requests]=2.34.2
)
all_packages=(tensorflow-cpu tensorboard onnxruntime openvino onnx numpy opencv-python-headless requests)
readonly skip_status=77

die() { echo "python_env: $*" >&2; exit 1; }

check_only=false
if [[ ${1:-} == --check ]]; then
  check_only=true
  shift
fi
(($# >= 1)) || die "usage: scripts/python_env.sh [--check] VENV_DIR [PACKAGE...]  (packages: ${all_packages[*]})"
venv=$1
shift
wanted=("$@")
((${#wanted[@]})) || wanted=("${all_packages[@]}")
requirements=()
for p in "${wanted[@]}"; do
  [[ -n ${pins[$p]:-} ]] || die "unknown package '$p' (known: ${all_packages[*]})"
  requirements+=("$p==${pins[$p]}")
done
python=${PYTHON:-/usr/bin/python3}
[[ -x $python ]] || die "$python not found (install python3 and python3-venv, or set PYTHON)"

# Tests start side by side: one of them builds the venv, the others wait for it.
mkdir -p "$(dirname "$venv")"
exec 9>"$venv.lock"
flock 9

has_pins() {
  [[ -x $venv/bin/python ]] || return 1
  "$venv/bin/python" - "${requirements[@]}" <<'EOF'
import sys
from importlib.metadata import version, PackageNotFoundError
for req in sys.argv[1:]:
    name, want = req.split("==")
    try:
        if version(name) != want:
            sys.exit(1)
    except PackageNotFoundError:
        sys.exit(1)
EOF
}

index_reachable() {
  local url
  url=${PIP_INDEX_URL:-$("$venv/bin/python" -m pip config get global.index-url 2>/dev/null || true)}
  url=${url:-https://pypi.org/simple/}
  "$venv/bin/python" - "$url" <<'EOF'
import sys, urllib.request
try:
    urllib.request.urlopen(sys.argv[1].rstrip("/") + "/pip/", timeout=20).read(1)
except Exception as e:
    print(f"python_env: package index {sys.argv[1]} unreachable: {e}", file=sys.stderr)
    sys.exit(1)
EOF
}

if has_pins; then
  echo "python_env: $venv has ${wanted[*]}"
  exit 0
fi
if $check_only; then
  echo "python_env: SKIP: $venv does not have ${requirements[*]} (they could not be installed; see the step that makes the venv)" >&2
  exit $skip_status
fi
[[ -x $venv/bin/python ]] || "$python" -m venv "$venv" || die "cannot create a venv in $venv with $python"

# pip retries each connection itself; the outer loop covers a download cut off halfway.
for attempt in 1 2 3; do
  if "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --retries 5 \
      --timeout 60 "${requirements[@]}"; then
    has_pins || die "installed, but the versions in $venv do not match the pins"
    echo "python_env: $venv ready with ${requirements[*]}"
    exit 0
  fi
  if ! index_reachable; then
    echo "python_env: SKIP: the Python package index cannot be reached, so the interop peers are not installed" >&2
    exit $skip_status
  fi
  echo "python_env: pip install failed (attempt $attempt of 3)" >&2
  sleep $((attempt * 10))
done
die "pip install ${requirements[*]} failed three times while the index was reachable"
