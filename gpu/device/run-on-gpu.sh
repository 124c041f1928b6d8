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
#        (statscheck,probe,mlp,cnn,mlp4096), BENCH_MODES (graph,device,host), BENCH_WARMUP (3), BENCH_WINDOWS (5),
#        PROBE_REPS (2000),
#        TTA_RUNS ("sgd:30 adam:20": optimizer:epochs runs timed to TARGET_ACCURACY, 0.91),
#        STEP_TIMEOUT (300 s per step), PYTHON (python3), TF32 (unset: FP32 GEMMs), LOUPE_CUBLAS (path; default: searched)
# Writes at most 8 files, flat, into OUT_DIR (the device tool returns no more): info.txt (the
# environment too), conformance.txt, train.txt, train91.txt, bench.txt, bench.md, workloads.txt,
# summary.md. Never stops at a failed
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
for c in "${LOUPE_CUBLAS:-}" $(find /opt /usr/local -name 'libcublas.so.13' 2>/dev/null | sort -r) $(ldconfig -p 2>/dev/null | awk '/libcublas\.so\.1[23] /{print $NF}') \
         $(find / \( -path /proc -o -path /sys -o -path /dev \) -prune -o \( -name libcublas.so.13 -o -name libcublas.so.12 \) -print 2>/dev/null | sort -r); do
  if [ -n "$c" ] && [ -e "$c" ]; then cublas="$c"; break; fi
done
jopts=(--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Xmx24g -Djava.io.tmpdir="$work")
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
} > "$work/env.txt" 2>&1
gpu="$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -1)"
note "- device: ${gpu:-nvidia-smi gave nothing (no NVIDIA driver?)}"
note "- cuBLAS: ${cublas:-not found}"

# STEPS picks what runs (comma-separated; default all): info, conformance, train, tta, probe,
# bench, workloads.
want() { [[ ",${STEPS:-info,conformance,train,tta,probe,bench,workloads}," == *",$1,"* ]]; }

step() {  # step NAME LOGFILE COMMAND...: runs it, records the exit status
  local name="$1" log="$2"; shift 2
  local t0=$SECONDS
  timeout -k 10 "${STEP_TIMEOUT:-300}" "$@" > "$log" 2>&1
  local rc=$?
  note "- $name: exit $rc ($((SECONDS - t0)) s)"
  return $rc
}

cp "$work/env.txt" "$out/info.txt"
if want info; then
  step "loupe info" "$work/info.txt" "$java" "${jopts[@]}" -cp "$cp" dev.loupe.cli.Main info
  { echo "## loupe info"; cat "$work/info.txt"; } >> "$out/info.txt"
  grep -E '^\s+cuda' "$work/info.txt" | sed 's/^ */  /' | tee -a "$summary"
fi

if want conformance; then
  step "conformance suite (cuda, 1e-4)" "$out/conformance.txt" \
    "$java" "${jopts[@]}" -cp "$cp" dev.loupe.engine.conformance.ConformanceSuite cuda 1e-4
  grep -m2 -E 'cases, .* failed|Exception' "$out/conformance.txt" | sed 's/^/  /' | tee -a "$summary"
fi

data=()
[ -n "${FMNIST_DIR:-}" ] && data=(--data "$FMNIST_DIR")
[ -n "${TRAIN_LIMIT:-}" ] && data+=(--train-limit "$TRAIN_LIMIT")
if want train; then
  step "CNN training (Fashion-MNIST, $EPOCHS epochs, seed $SEED, batch $BATCH)" "$out/train.txt" \
    "$java" "${jopts[@]}" -cp "$cp" dev.loupe.cli.Main train --model cnn --dataset fashion-mnist "${data[@]}" \
    --epochs "$EPOCHS" --seed "$SEED" --batch "$BATCH" --backend cuda --run "$work/run-cnn"
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

  # Explanations and a loss landscape of the trained CNN on the cuda backend (their logs are appended
  # to train.txt): every method family and the batched grid evaluation run on the device.
  if [ -f "$work/run-cnn/run.json" ]; then
    step "explain (saliency, ig, smoothgrad, gradcam, occlusion; 64 samples)" "$work/explain.txt" \
      "$java" "${jopts[@]}" -cp "$cp" dev.loupe.cli.Main explain --run "$work/run-cnn" --backend cuda --samples 64 \
      --method saliency,ig,smoothgrad,gradcam,occlusion
    step "landscape (2d, 11x11 grid, 1000 samples)" "$work/landscape.txt" \
      "$java" "${jopts[@]}" -cp "$cp" dev.loupe.cli.Main landscape --run "$work/run-cnn" --backend cuda --mode 2d --grid 11 --samples 1000
    { echo "## explain"; cat "$work/explain.txt"; echo "## landscape"; cat "$work/landscape.txt"; } >> "$out/train.txt"
  fi
fi

# Time to reach TARGET_ACCURACY (0.91) test accuracy: each TTA_RUNS entry is optimizer:epochs
# (default "sgd:30 adam:20", default learning rates); the first epoch at or above the target and the
# training seconds up to its end (each epoch's seconds include its test-set evaluation).
if want tta; then
  target="${TARGET_ACCURACY:-0.91}"
  : > "$out/train91.txt"
  for r in ${TTA_RUNS:-sgd:30 adam:20}; do
    opt="${r%%:*}" ep="${r##*:}"
    echo "## cnn, $opt, $ep epochs, seed $SEED, batch $BATCH" >> "$out/train91.txt"
    step "CNN training to $target ($opt, up to $ep epochs)" "$work/tta.txt" \
      "$java" "${jopts[@]}" -cp "$cp" dev.loupe.cli.Main train --model cnn --dataset fashion-mnist "${data[@]}" \
      --epochs "$ep" --optimizer "$opt" --seed "$SEED" --batch "$BATCH" --backend cuda --run "$work/run-tta-$opt"
    grep -E '^data:|^backend:|^epoch [0-9]+/[0-9]+  loss|test_accuracy=' "$work/tta.txt" >> "$out/train91.txt"
    awk -v t="$target" '/^epoch [0-9]+\/[0-9]+  loss/ {
        n++; s = $NF; sub(/s$/, "", s); total += s
        for (i = 1; i <= NF; i++) if ($i == "test_acc") acc = $(i + 1)
        if (!hit && acc + 0 >= t + 0) { hit = 1; printf "  reached %.2f%% at epoch %d after %.1f s of training\n", acc * 100, n, total }
        best = acc + 0 > best ? acc + 0 : best }
      END { if (!hit) printf "  did not reach %.0f%% in %d epochs (best %.2f%%, %.1f s)\n", t * 100, n, best * 100, total }' \
      "$work/tta.txt" | tee -a "$summary" "$out/train91.txt"
  done
fi

# The launch cost through JCuda's binding, for comparison with the default FFM path (probe only).
if want probe; then
  "$java" "${jopts[@]}" -Dloupe.cuda.launch=jcuda -cp "$cp" dev.loupe.gpu.GpuBench --out "$work/probe-jcuda" \
    --workloads probe --peer none --probe-reps "${PROBE_REPS:-2000}" > "$work/probe-jcuda.txt" 2>&1
  { echo "## probe with -Dloupe.cuda.launch=jcuda"; cat "$work/probe-jcuda.txt"; } >> "$out/info.txt"
  grep -m1 '^launch' "$work/probe-jcuda.txt" | sed 's/^/- JCuda path: /' | tee -a "$summary"
fi

if want bench; then
  step "GPU benchmark vs PyTorch" "$out/bench.txt" \
    "$java" "${jopts[@]}" -cp "$cp" dev.loupe.gpu.GpuBench --out "$work/bench" --python "$PYTHON" \
    --seconds "${BENCH_SECONDS:-2}" --warmup "${BENCH_WARMUP:-3}" --windows "${BENCH_WINDOWS:-5}" \
    --probe-reps "${PROBE_REPS:-2000}" --workloads "${BENCH_WORKLOADS:-statscheck,probe,mlp,cnn,mlp4096}" --modes "${BENCH_MODES:-graph,device,host}"
  cp "$work/bench/results.md" "$out/bench.md" 2>/dev/null && cat "$out/bench.md" >> "$summary"
fi

# Loupe's own CPU-suite workloads on the cuda backend (workloads.txt): the loss-landscape grid
# batched against one point at a time, and recording off / stats / full / full+budget.
if want workloads; then
  : > "$out/workloads.txt"
  for m in mlp cnn; do
    step "landscape grid on cuda, $m (batched vs one point at a time)" "$work/land-$m.txt" \
      "$java" "${jopts[@]}" -cp "$cp" dev.loupe.bench.LandscapeBench --backend cuda --model "$m" \
      --samples "${LAND_SAMPLES:-500}" --rows "${LAND_ROWS:-8}" --cols "${LAND_COLS:-8}" --repeats "${LAND_REPEATS:-3}"
    { echo "## LandscapeBench --backend cuda --model $m"; cat "$work/land-$m.txt"; } >> "$out/workloads.txt"
    grep -E '^\|' "$work/land-$m.txt" | sed 's/^/  /' | tee -a "$summary"
  done
  step "recording overhead on cuda (off / stats / full / full+budget)" "$work/rec.txt" \
    "$java" "${jopts[@]}" -cp "$cp" dev.loupe.bench.RecordingOverheadBench --backend cuda \
    --cycles "${REC_CYCLES:-20}" --warmup-cycles "${REC_WARMUP:-3}"
  { echo "## RecordingOverheadBench --backend cuda"; cat "$work/rec.txt"; } >> "$out/workloads.txt"
  grep -E '^\|' "$work/rec.txt" | sed 's/^/  /' | tee -a "$summary"
fi
rm -rf "$work"
