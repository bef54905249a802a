# Sourced by the bench scripts that run the blastscan binary: where the repository, the build
# (BUILD_DIR) and the shared data (BLASTSCAN_SHARED) are, and the two steps they share.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build}
shared=${BLASTSCAN_SHARED:-$root/../shared}
blastscan=$build/blastscan

# build_blastscan WORK: brings the binary up to date quietly; on failure prints the build's log
# (kept in WORK) and exits.
build_blastscan() {
  cmake --build "$build" --target blastscan >"$1/build.log" 2>&1 || { cat "$1/build.log" >&2; exit 1; }
}

# model_or_random GIVEN OUT: prints GIVEN if it is not empty, else writes a Mixed_7a model with
# random weights and a 2-class head to OUT (it costs what the shared backbone's models cost)
# and prints OUT.
model_or_random() {
  if [[ -n $1 ]]; then
    echo "$1"
  else
    "$blastscan" export --random Mixed_7a --classes 2 --out "$2" >/dev/null && echo "$2"
  fi
}
