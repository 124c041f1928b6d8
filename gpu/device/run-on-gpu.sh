#!/usr/bin/env bash
# Runs Loupe's GPU checks from an unpacked bundle (made by scripts/gpu-bundle.sh) on a CUDA machine:
#   1. environment (nvidia-smi, java, python/torch) and `loupe info`
#   2. the conformance suite on the cuda backend (every op vs the reference, rel. error <= 1e-4)
#   3. CNN training on Fashion-MNIST (seed/epochs as the CPU run it is compared with)
#   4. GpuBench: MLP/CNN/MLP-4096 samples/s, Loupe cuda vs PyTorch eager on the same GPU
# Usage: run-on-gpu.sh OUT_DIR
#   env: EPOCHS (5), SEED (42), BATCH (128), CPU_ACCURACY (test accuracy of the CPU run to compare with),
#        FMNIST_DIR (a folder with the four Fashion-MNIST IDX files; default: the system copy, else
#        the subset embedded in Loupe), TRAIN_LIMIT (all), BENCH_SECONDS (2), BENCH_WORKLOADS
#        (mlp,cnn,mlp4096), PYTHON (python3), TF32 (unset: FP32 GEMMs), LOUPE_CUBLAS (path; default: searched)
# Writes at most 8 files, flat, into OUT_DIR (the device tool returns no more): env.txt, info.txt,
# conformance.txt, train.txt, run.json, bench.txt, bench.md, summary.md. Never stops at a failed
# step: every step's exit status goes into summary.md.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:?usage: run-on-gpu.sh OUT_DIR}"
mkdir -p "$out"
EPOCHS="${EPOCHS:-5}" SEED="${SEED:-42}" BATCH="${BATCH:-128}" PYTHON="${PYTHON:-python3}"
java="$here/runtime/bin/java"
cp="$here/lib/*"
summary="$out/summary.md"
work="$(mktemp -d)"
note() { echo "$*" | tee -a "$summary"; }
: > "$summary"
note "# Loupe on the GPU — $(date -u +%Y-%m-%dT%H:%M:%SZ)"

# cuBLAS 13 lives inside the Python environment (PyTorch's nvidia wheels) on the lent machines.
cublas=""
for c in "${LOUPE_CUBLAS:-}" $(ldconfig -p 2>/dev/null | awk '/libcublas\.so\.1[23] /{print $NF}') \
         $(find / \( -path /proc -o -path /sys -o -path /dev \) -prune -o \( -name libcublas.so.13 -o -name libcublas.so.12 \) -print 2>/dev/null | sort -r); do
  if [ -n "$c" ] && [ -e "$c" ]; then cublas="$c"; break; fi
done
jopts=(--enable-native-access=ALL-UNNAMED -Xmx24g -Djava.io.tmpdir="$work")
if [ -n "$cublas" ]; then
  export LD_LIBRARY_PATH="$(dirname "$cublas")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  jopts+=("-Dloupe.cublas=$cublas")
fi
[ -n "${TF32:-}" ] && jopts+=(-Dloupe.cuda.tf32=true)

{
  echo "## date"; date -u
  echo "## nvidia-smi"; nvidia-smi 2>&1
  echo "## uname"; uname -a
  echo "## java"; "$java" -version 2>&1
  echo "## cuBLAS"; echo "${cublas:-not found}"
  echo "## python"; command -v "$PYTHON"; "$PYTHON" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available())' 2>&1
} > "$out/env.txt" 2>&1
gpu="$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -1)"
note "- device: ${gpu:-nvidia-smi gave nothing (no NVIDIA driver?)}"
note "- cuBLAS: ${cublas:-not found}"

step() {  # step NAME LOGFILE COMMAND...: runs it, records the exit status
  local name="$1" log="$2"; shift 2
  local t0=$SECONDS
  "$@" > "$log" 2>&1
  local rc=$?
  note "- $name: exit $rc ($((SECONDS - t0)) s)"
  return $rc
}

step "loupe info" "$out/info.txt" "$java" "${jopts[@]}" -cp "$cp" dev.loupe.cli.Main info
grep -E '^\s+cuda' "$out/info.txt" | sed 's/^ */  /' | tee -a "$summary"

step "conformance suite (cuda, 1e-4)" "$out/conformance.txt" \
  "$java" "${jopts[@]}" -cp "$cp" dev.loupe.engine.conformance.ConformanceSuite cuda 1e-4
grep -m2 -E 'cases, .* failed|Exception' "$out/conformance.txt" | sed 's/^/  /' | tee -a "$summary"

data=()
[ -n "${FMNIST_DIR:-}" ] && data=(--data "$FMNIST_DIR")
[ -n "${TRAIN_LIMIT:-}" ] && data+=(--train-limit "$TRAIN_LIMIT")
step "CNN training (Fashion-MNIST, $EPOCHS epochs, seed $SEED, batch $BATCH)" "$out/train.txt" \
  "$java" "${jopts[@]}" -cp "$cp" dev.loupe.cli.Main train --model cnn --dataset fashion-mnist "${data[@]}" \
  --epochs "$EPOCHS" --seed "$SEED" --batch "$BATCH" --backend cuda --run "$work/run-cnn"
cp "$work/run-cnn/run.json" "$out/run.json" 2>/dev/null
grep -E '^data:|^epoch [0-9]+/[0-9]+  loss|test_accuracy=' "$out/train.txt" | sed 's/^/  /' | tee -a "$summary"
acc="$(grep -o 'test_accuracy=[0-9.]*' "$out/train.txt" | tail -1 | cut -d= -f2)"
# The CPU reference measured when the bundle was made: nd4j backend, the embedded subset (10,000
# train / 2,000 test images), cnn, 5 epochs, seed 42, batch 128, default SGD: 0.8425.
if [ -z "${CPU_ACCURACY:-}" ] && [ -z "${FMNIST_DIR:-}${TRAIN_LIMIT:-}" ] && [ "$EPOCHS.$SEED.$BATCH" = "5.42.128" ] \
   && grep -q '^data: .*embedded subset' "$out/train.txt"; then
  CPU_ACCURACY=0.8425
fi
if [ -n "$acc" ] && [ -n "${CPU_ACCURACY:-}" ]; then
  awk -v g="$acc" -v c="$CPU_ACCURACY" 'BEGIN { d = (g - c) * 100; if (d < 0) d = -d;
    printf "- accuracy: cuda %.2f%% vs CPU %.2f%%: %.2f points apart (bar: <= 0.5): %s\n", g * 100, c * 100, d, d <= 0.5 ? "PASS" : "FAIL" }' \
    | tee -a "$summary"
fi

step "GPU benchmark vs PyTorch" "$out/bench.txt" \
  "$java" "${jopts[@]}" -cp "$cp" dev.loupe.gpu.GpuBench --out "$work/bench" --python "$PYTHON" \
  --seconds "${BENCH_SECONDS:-2}" --workloads "${BENCH_WORKLOADS:-mlp,cnn,mlp4096}"
cp "$work/bench/results.md" "$out/bench.md" 2>/dev/null && cat "$out/bench.md" >> "$summary"
rm -rf "$work"
