#!/bin/bash
# Installs the Debian packages xpcs-toolkit needs, only when something is missing.
# Safe to run repeatedly; needs root (or sudo) and Debian's package archive.
set -euo pipefail
PKGS=(build-essential cmake ninja-build pkgconf
      openmpi-bin libopenmpi-dev libhdf5-openmpi-dev hdf5-tools libfftw3-dev
      libcjson-dev libgsl-dev python3-numpy python3-h5py
      libyaml-dev zlib1g-dev
      libopenblas-openmp-dev  # the OpenMP build only (not libopenblas-dev: pthreads)
      liblz4-dev bitshuffle hdf5-plugin-lzf hdf5-filter-plugin
      man-db)  # `man` for the installed man pages (test: install)
# Only the report's rendering test needs a browser: installed when possible,
# and that test reports "skipped" where it cannot be.
OPTIONAL=(chromium)
# `--bench`: also boost_corr's CPU path for the side-by-side of
# tools/bench_dense.sh (not needed by the build or the tests).
if [ "${1:-}" = "--bench" ]; then
  OPTIONAL+=(python3-torch python3-tqdm python3-hdf5plugin)
fi
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
missing=()
for p in "${PKGS[@]}"; do have "$p" || missing+=("$p"); done
opt_missing=()
for p in "${OPTIONAL[@]}"; do have "$p" || opt_missing+=("$p"); done
if [ ${#missing[@]} -eq 0 ] && [ ${#opt_missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]} ${opt_missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
if [ ${#opt_missing[@]} -gt 0 ]; then
  $SUDO apt-get install -y -qq --no-install-recommends "${opt_missing[@]}" ||
    echo "install-deps: warning: could not install ${opt_missing[*]} (optional)"
fi
