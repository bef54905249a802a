#!/usr/bin/env bash
# Runs one interop check in the venv of scripts/python_env.sh: tests/interop/run.sh VENV SCRIPT ARGS...
# Exits 77 (ctest: SKIPPED, with the reason on stderr) when the venv does not have the pinned
# packages, i.e. the interop.venv step could not install them (package index unreachable).
# The check needs no network.
set -uo pipefail
venv=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
bash "$here/../../scripts/python_env.sh" --check "$venv" >/dev/null || exit $?
# TensorFlow's start-up banners (oneDNN, CPU features) are noise in test logs.
export TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2}
exec "$venv/bin/python" "$@"
