#!/usr/bin/env bash
# Runs each fuzz target briefly on stable Rust (no sanitizer), from the shipped seeds.
# Usage: fuzz/run.sh [SECONDS_PER_TARGET]
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-20}"
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked --quiet
fi
mkdir -p corpus/program_roundtrip corpus/event_stream corpus/snapshot_bytes corpus/summarizer_partial corpus/snapshot_json corpus/binding_json corpus/simulation
cp ../examples/programs/*.json corpus/program_roundtrip/
cp ../bindings-mobile/kotlin-tests/golden/member_story_snapshot.json corpus/snapshot_bytes/
cp seeds/summarizer_partial.json corpus/summarizer_partial/
cp ../bindings-mobile/kotlin-tests/golden/member_story_snapshot.json corpus/snapshot_json/
cp seeds/binding_json/*.json corpus/binding_json/
log="$(mktemp)"
for target in program_roundtrip event_stream snapshot_bytes summarizer_partial snapshot_json binding_json simulation; do
  echo "fuzzing $target for ${seconds}s"
  # The fuzzer's own status decides (a pipeline's PIPESTATUS is lost to `|| true`, which
  # once let a crashing target pass).
  status=0
  cargo fuzz run -s none "$target" -- -max_total_time="$seconds" -rss_limit_mb=2048 > "$log" 2>&1 || status=$?
  grep -E '^(Done|#[0-9]+ +DONE)|ERROR|panicked|SUMMARY' "$log" || true
  if [ "$status" -ne 0 ]; then
    echo "fuzz target $target failed (status $status):"
    tail -n 30 "$log"
    exit 1
  fi
done
