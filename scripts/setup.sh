#!/usr/bin/env bash
# Installs what LabelRep needs on Debian 12 when it is missing. Fast when everything is there.
#   scripts/setup.sh          runtime needs: Fashion-MNIST data and espeak-ng
#   scripts/setup.sh --test   also the PyTorch reference (python3-torch) used by the interop and benchmark checks,
#                             and Slurm with munge (slurm-wlm munge) for the tests that run a grid on a real one-node cluster
set -euo pipefail
packages=(dataset-fashion-mnist espeak-ng)
if [[ "${1:-}" == "--test" ]]; then packages+=(python3-torch slurm-wlm munge); fi

if ! command -v dotnet >/dev/null 2>&1; then
  echo "labelrep: the .NET 10 SDK is not installed; install it (https://dotnet.microsoft.com) and rerun" >&2
  exit 1
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then missing+=("$p"); fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "labelrep: missing ${missing[*]} and no apt-get here; install the equivalents by hand (see README)" >&2
  exit 1
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "labelrep: missing Debian packages: ${missing[*]}; run as root: apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "labelrep: installing ${missing[*]} …" >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1; then
  apt-get update -qq >/dev/null 2>&1 || true
  if ! apt-get install -y -qq "${missing[@]}" >/dev/null; then
    echo "labelrep: 'apt-get install -y ${missing[*]}' failed; install them by hand and rerun" >&2
    exit 1
  fi
fi
