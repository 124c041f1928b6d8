#!/usr/bin/env bash
# Regenerates the CUDA kernels Loupe ships: for every gpu/src/main/cuda/*.cu, PTX for
# compute_90 (JIT-compiled by the driver on any GPU of compute capability 9.0 or newer) and an
# sm_90 cubin (loaded directly on H100/H200). Usage: gpu/regen-kernels.sh [OUTPUT_DIR]
# (default: the resources folder the backend loads them from). KernelArtifactsTest runs this into
# a temporary folder and compares the result with the committed files.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$here/src/main/cuda"
out="${1:-$here/src/main/resources/dev/loupe/gpu}"
command -v nvcc >/dev/null || { echo "regen-kernels: nvcc not found on PATH" >&2; exit 2; }
mkdir -p "$out"
# --fmad=false: no multiply-add contraction, so each kernel rounds exactly like the Java reference.
flags=(-O3 --fmad=false -std=c++17 -I.)
# Compile from inside the source folder with relative names: nothing machine-specific (absolute
# paths, temp names) can end up in the outputs.
cd "$src"
for cu in *.cu; do
  name="${cu%.cu}"
  nvcc "${flags[@]}" -arch=compute_90 -ptx -o "$out/$name.ptx" "$cu"
  nvcc "${flags[@]}" -arch=sm_90 -cubin -o "$out/$name.sm_90.cubin" "$cu"
done
nvcc --version | grep -o 'release [0-9.]*, V[0-9.]*' > "$out/nvcc.version"
