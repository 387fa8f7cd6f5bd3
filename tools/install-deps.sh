#!/bin/bash
# Installs the Debian packages xpcs-toolkit needs, only when something is missing.
# Safe to run repeatedly; needs root (or sudo) and Debian's package archive.
set -euo pipefail
PKGS=(build-essential cmake ninja-build pkgconf
      openmpi-bin libopenmpi-dev libhdf5-openmpi-dev hdf5-tools libfftw3-dev
      libcjson-dev python3-numpy python3-h5py
      liblz4-dev bitshuffle hdf5-plugin-lzf hdf5-filter-plugin)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
