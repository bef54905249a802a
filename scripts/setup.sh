#!/usr/bin/env bash
# Installs every Debian 12 package blastscan needs to build, test and benchmark.
# Idempotent; run as root (or with sudo available) on a fresh machine.
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config
  libdnnl-dev ocl-icd-opencl-dev opencl-headers libopencv-dev libprotobuf-dev protobuf-compiler libonnx-dev
  libcpp-httplib-dev nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev libssl-dev zlib1g-dev
  libopenslide-dev libvips-tools libtiff-tools  # tiffset: an Aperio description on a test slide
  chromium chromium-driver wrk curl
  python3-venv  # scripts/python_env.sh: the venv of test and benchmark peers (tests/interop)
  slurmctld slurmd slurm-client munge nginx  # scale-out integration tests (tests/scaleout)
  libtiff-dev libjpeg62-turbo-dev libre2-dev  # image headers as the decoders see them; linear-time regexes
  clang libclang-rt-14-dev  # libFuzzer harnesses (tests/fuzz, bench/fuzz.sh: CI fuzzes every parser)
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""; [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -qq
  # Daemons (munge, slurmctld, slurmd, nginx) must not start at install: the tests start their
  # own on loopback from a temporary folder. policy-rc.d exiting 101 tells invoke-rc.d "no";
  # it is removed again only if this script created it.
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
    $sudo chmod 755 /usr/sbin/policy-rc.d
    trap '$sudo rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "setup: installed ${missing[*]}"
else
  echo "setup: all packages present"
fi
