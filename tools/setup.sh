#!/bin/bash
# Installs the Debian packages (when missing), configures and builds
# xpcs-toolkit into ./build.  Usage: bash tools/setup.sh [extra cmake args]
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
gen=()
command -v ninja >/dev/null 2>&1 && gen=(-G Ninja)
cmake -S . -B build "${gen[@]}" -DCMAKE_BUILD_TYPE=Release \
    -DPython3_EXECUTABLE=/usr/bin/python3 "$@" >build-configure.log 2>&1 ||
    { cat build-configure.log; exit 1; }
cmake --build build -j "$(nproc)"
echo "setup: built $(pwd)/build/xpcs-corr and $(pwd)/build/xpcs-synth"
