#!/usr/bin/env bash
# Builds the bundle the GPU machine needs, as one archive (default .gpu/loupe-gpu-bundle.tar.xz):
#   loupe-gpu/runtime/     a jlinked JDK 25 (only the modules jdeps finds in the jars below)
#   loupe-gpu/lib/         Loupe's jars and the libraries they need on the GPU path — no ND4J/DL4J
#                          (their Java jars and OpenBLAS/javacpp natives are ~160 MB and the CPU
#                          backend is not what runs there; its provider then reports itself
#                          unavailable), no XChart (pictures are rendered on the CPU machine);
#                          JCuda's jar and a natives jar holding only libJCudaDriver (the kernels
#                          are resources of loupe-gpu's jar)
#   loupe-gpu/run-on-gpu.sh  conformance suite + Fashion-MNIST CNN + GPU benchmark (see that file)
# Usage: scripts/gpu-bundle.sh [OUT_DIR]. Fails if the archive exceeds 40 MB.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/.gpu}"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
limit=$((40 * 1000 * 1000))

echo "gpu-bundle: building the jars (offline)" >&2
mvn -B -q -o -Dstyle.color=never -f "$root/pom.xml" -pl cli -am package -DskipTests >&2

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
b="$stage/loupe-gpu"
mkdir -p "$b/lib"

# Loupe's jars plus an allow-list of the third-party jars the GPU path uses; everything else in
# cli/target/lib is left out and listed, so a new dependency shows up here.
allow='^(loupe-.*|jcuda-[0-9].*|picocli-.*|progressbar-.*|jline-.*|jackson-(core|databind|annotations)-2.*|protobuf-java-.*)\.jar$'
cp "$root/cli/target/loupe-cli.jar" "$b/lib/"
left_out=()
for j in "$root"/cli/target/lib/*.jar; do
  n="$(basename "$j")"
  if [[ "$n" =~ $allow ]]; then cp "$j" "$b/lib/"; else left_out+=("$n"); fi
done
echo "gpu-bundle: left out ${#left_out[@]} jars: ${left_out[*]}" >&2

# JCuda's natives jar holds four libraries (26 MB); the driver API needs one of them.
natives="$(ls "$root"/cli/target/lib/jcuda-natives-*-linux-x86_64.jar)"
nat="$stage/natives"
mkdir -p "$nat"
(cd "$nat" && "$JAVA_HOME/bin/jar" xf "$natives" lib/ && find lib -type f ! -name 'libJCudaDriver-*' -delete)
"$JAVA_HOME/bin/jar" --create --file "$b/lib/$(basename "${natives%.jar}")-driver-only.jar" -C "$nat" lib

# The JDK modules the kept jars use, jar by jar (progressbar and jline are named modules, hence
# --module-path). Analysing all jars at once also follows optional paths (java.sql, java.desktop
# for picocli's and Jackson's reflective extras) and doubles the runtime.
jdk_mods=" $("$JAVA_HOME/bin/java" --list-modules | sed 's/@.*//' | tr '\n' ' ') "
# java.desktop (AWT images for viz's PNGs and bench's chart) is left out on purpose: pictures are
# rendered on the CPU machine from the run directory, and it would add ~8 MB compressed. The smoke
# test below shows the GPU steps (info, train) run without it. BUNDLE_DESKTOP=1 keeps it.
drop=" java.desktop "
[ "${BUNDLE_DESKTOP:-0}" = 1 ] && drop=" "
keep=(java.base)
for j in "$b"/lib/*.jar; do
  m="$("$JAVA_HOME/bin/jdeps" --multi-release 25 --ignore-missing-deps --print-module-deps --module-path "$b/lib" "$j" 2>/dev/null | tail -1 || true)"
  for x in ${m//,/ }; do
    [[ "$jdk_mods" == *" $x "* ]] && [[ "$drop" != *" $x "* ]] && [[ " ${keep[*]} " != *" $x "* ]] && keep+=("$x")
  done
done
mods_csv="$(IFS=,; echo "${keep[*]}")"
echo "gpu-bundle: jlink --add-modules $mods_csv" >&2
# zip-0: the runtime's module image is left uncompressed because xz, below, does far better on it
# than jlink's zip (12.8 MB instead of 19 MB for the archived runtime).
"$JAVA_HOME/bin/jlink" --add-modules "$mods_csv" --strip-debug --no-man-pages --no-header-files \
  --compress=zip-0 --output "$b/runtime"

cp "$root/gpu/device/run-on-gpu.sh" "$b/"
chmod +x "$b/run-on-gpu.sh"
{
  echo "Loupe GPU bundle, built $(date -u +%Y-%m-%dT%H:%M:%SZ) from commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "runtime modules: $mods_csv"
  echo "jars:"; (cd "$b/lib" && ls -1)
} > "$b/BUNDLE.txt"

# The bundle must work here too, minus the GPU: the CLI starts, says why CUDA is unavailable, and
# trains a small model on the reference backend (JSON, NPY, checkpoints: a missing module or jar
# shows now, not on the device).
"$b/runtime/bin/java" --enable-native-access=ALL-UNNAMED -cp "$b/lib/*" dev.loupe.cli.Main info >&2
"$b/runtime/bin/java" --enable-native-access=ALL-UNNAMED -cp "$b/lib/*" dev.loupe.cli.Main train \
  --dataset blobs --model mlp --epochs 1 --backend reference --run "$stage/smoke-run" >&2

mkdir -p "$out"
archive="$out/loupe-gpu-bundle.tar.xz"
tar -C "$stage" -cf - loupe-gpu | xz "${BUNDLE_XZ:--9e}" -T2 > "$archive.tmp"
mv "$archive.tmp" "$archive"
size=$(stat -c %s "$archive")
echo "gpu-bundle: $archive: $size bytes ($(awk -v s="$size" 'BEGIN{printf "%.1f", s/1e6}') MB; limit 40 MB)"
[ "$size" -le "$limit" ] || { echo "gpu-bundle: the bundle is over 40 MB" >&2; exit 1; }
