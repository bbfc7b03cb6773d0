#!/usr/bin/env bash
# The codec fuzzer's long run: bounded mutation over fuzz/corpus for every target (or one), crashes saved under
# fuzz/crashes/. CI runs a second per target (CodecFuzzTests); this is the run for docs/reliability.md.
#   scripts/fuzz.sh [SECONDS (default 600)] [TARGET|all] [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TOTAL="${1:-600}"
TARGET="${2:-all}"
SEED="${3:-1}"
dotnet build ChatCluster.Fuzz/ChatCluster.Fuzz.csproj -c Release -v quiet -nologo >/dev/null
exec dotnet ChatCluster.Fuzz/bin/Release/net10.0/ChatCluster.Fuzz.dll run "$TARGET" --seconds "$SECONDS_TOTAL" --seed "$SEED" \
  --corpus fuzz/corpus --crashes fuzz/crashes
