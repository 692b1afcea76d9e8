#!/usr/bin/env bash
# Runs every test of the project: the README's test command, and what CI runs.
# Ends with one line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")"
export CARGO_TERM_COLOR=never
log=$(mktemp -d)
passed=0
failed=0
status=0

step() { printf '\n== %s\n' "$1"; }

# Adds the counts of every "test result:" line in a cargo test log.
count_cargo() {
  local counts
  counts=$(awk '/^test result:/ { for (i = 1; i < NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } } END { print p + 0, f + 0 }' "$1")
  passed=$((passed + ${counts% *}))
  failed=$((failed + ${counts#* }))
}

step "format"
if ! cargo fmt --all -- --check; then echo "cargo fmt found unformatted code"; status=1; fi

step "clippy"
if ! cargo clippy --workspace --all-targets --quiet -- -D warnings; then status=1; fi

step "cargo test (core, examples, doc tests)"
cargo test --workspace 2>&1 | tee "$log/cargo.txt" | grep -E '^(test result|failures:|---- )|panicked' || true
if [ "${PIPESTATUS[0]}" -ne 0 ]; then status=1; fi
count_cargo "$log/cargo.txt"

step "fuzz (brief)"
if [ "${SKIP_FUZZ:-0}" = "1" ]; then
  echo "skipped (SKIP_FUZZ=1)"
else
  if ! bash fuzz/run.sh "${FUZZ_SECONDS:-20}"; then status=1; failed=$((failed + 1)); else passed=$((passed + 1)); fi
fi

echo
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed"
exit "$status"
