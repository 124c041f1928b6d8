#!/usr/bin/env bash
# Installs the optional Debian packages that benchmarks and optional checks use. Not needed for the
# build or the unit tests. Run as root.
set -euo pipefail
apt-get update
apt-get install -y dataset-fashion-mnist python3-torch libopenblas0-pthread protobuf-compiler chromium
