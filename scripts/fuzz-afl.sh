#!/usr/bin/env bash
# Coverage-guided fuzzing of the codecs with AFL++ and SharpFuzz: publishes ChatCluster.Fuzz, instruments
# ChatCluster.Transports.dll with the sharpfuzz tool, and runs afl-fuzz on each target for SECONDS, starting from
# fuzz/corpus/<target>. Prints executions, queue size, edges and crashes per target; crashing inputs stay in
# OUT/<target>/default/crashes (replay one with: dotnet BIN/ChatCluster.Fuzz.dll afl <target> < FILE).
# Needs: apt-get install afl++ ; dotnet tool install --tool-path TOOLS SharpFuzz.CommandLine --version 2.3.0
#   scripts/fuzz-afl.sh [SECONDS per target (default 60)] [TARGET|all] [OUT (default /tmp/chatcluster-afl)]
set -euo pipefail
cd "$(dirname "$0")/.."
SECS="${1:-60}"
TARGET="${2:-all}"
OUT="${3:-/tmp/chatcluster-afl}"
TOOLS="${SHARPFUZZ_TOOLS:-$OUT/tools}"
BIN="$OUT/bin"
command -v afl-fuzz >/dev/null || { echo "afl-fuzz not found: apt-get install afl++" >&2; exit 2; }
[ -x "$TOOLS/sharpfuzz" ] || dotnet tool install --tool-path "$TOOLS" SharpFuzz.CommandLine --version 2.3.0 >/dev/null
rm -rf "$BIN"
dotnet publish ChatCluster.Fuzz/ChatCluster.Fuzz.csproj -c Release -o "$BIN" -v quiet -nologo >/dev/null
"$TOOLS/sharpfuzz" "$BIN/ChatCluster.Transports.dll"
if [ "$TARGET" = all ]; then TARGETS=$(dotnet "$BIN/ChatCluster.Fuzz.dll" list); else TARGETS="$TARGET"; fi
for t in $TARGETS; do
  rm -rf "$OUT/$t"
  AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
    timeout --signal=INT "$SECS" afl-fuzz -i "fuzz/corpus/$t" -o "$OUT/$t" -t 10000 -m none -- dotnet "$BIN/ChatCluster.Fuzz.dll" afl "$t" \
    >"$OUT/$t.log" 2>&1 || true
  stats="$OUT/$t/default/fuzzer_stats"
  if [ -f "$stats" ]; then
    get() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
    echo "$t: $(get execs_done) executions in $(get run_time) s, queue $(get corpus_count), edges $(get edges_found), crashes $(get saved_crashes), hangs $(get saved_hangs)"
  else
    echo "$t: afl-fuzz did not start, see $OUT/$t.log" >&2
  fi
done
