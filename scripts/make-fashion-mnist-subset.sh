#!/bin/sh
# Regenerates the embedded Fashion-MNIST subset (1,000 train + 200 test images per class, first in
# file order) from the official files, by default Debian's dataset-fashion-mnist copy.
# Usage: scripts/make-fashion-mnist-subset.sh [SOURCE_DIR]   (run from the repository root)
set -eu
src=${1:-/usr/share/datasets/fashion-mnist}
out=datasets/src/main/resources/dev/loupe/datasets/fashion-mnist-subset
mvn -B -o -q -pl datasets compile
java -cp datasets/target/classes dev.loupe.datasets.FashionMnistSubset "$src" "$out"
ls -l "$out"
