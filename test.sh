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
if ! cargo clippy --workspace --exclude uniffi-bindgen --all-targets --quiet -- -D warnings; then status=1; fi

step "minimum Rust versions (the declared rust-version of each crate)"
# The library and the examples build on Rust 1.85; the Python and Node bindings on 1.88
# (napi's floor); the mobile binding on 1.91 (uniffi's cargo_metadata), which this step does
# not install. Checked in their own target folder.
if rustup toolchain install 1.85 1.88 --profile minimal >/dev/null 2>&1 \
  && cargo +1.85 check --quiet --target-dir target/msrv -p loyalty --all-features --lib \
  && cargo +1.85 check --quiet --target-dir target/msrv -p loyalty-examples --bins \
  && cargo +1.88 check --quiet --target-dir target/msrv -p loyalty-python -p loyalty-node --lib; then
  passed=$((passed + 1))
else
  echo "a crate does not build on its declared minimum Rust version"
  status=1; failed=$((failed + 1))
fi

step "cargo test (core, examples, doc tests)"
cargo test --workspace --exclude uniffi-bindgen 2>&1 | tee "$log/cargo.txt" | grep -E '^(test result|failures:|---- )|panicked' || true
if [ "${PIPESTATUS[0]}" -ne 0 ]; then status=1; fi
count_cargo "$log/cargo.txt"

step "python binding (build in a fresh venv, stub check, mypy, pytest)"
venv="${LOYALTY_VENV:-$(mktemp -d)/venv}"
if python3 -m venv "$venv" \
  && "$venv/bin/pip" install -q --upgrade pip \
  && "$venv/bin/pip" install -q maturin pytest numpy pandas polars pyarrow mypy pyspark==3.5.3 \
  && "$venv/bin/pip" install -q ./bindings-python; then
  if ! (cd "$log" && "$venv/bin/python" -m mypy.stubtest loyalty._native); then status=1; failed=$((failed + 1)); fi
  # The package and the example type-check against the stubs too.
  if ! "$venv/bin/python" -m mypy --ignore-missing-imports bindings-python/python/loyalty examples/python; then
    status=1; failed=$((failed + 1))
  fi
  "$venv/bin/python" -m pytest -q bindings-python/tests 2>&1 | tee "$log/pytest.txt" | tail -n 3
  if [ "${PIPESTATUS[0]}" -ne 0 ]; then status=1; fi
  p=$(grep -Eo '[0-9]+ passed' "$log/pytest.txt" | tail -n 1 | grep -Eo '[0-9]+' || true)
  f=$(grep -Eo '[0-9]+ failed' "$log/pytest.txt" | tail -n 1 | grep -Eo '[0-9]+' || true)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
else
  echo "could not build the Python package"
  status=1
  failed=$((failed + 1))
fi

step "node binding (npm ci, build, generated types unchanged, node:test, tsc)"
if (cd bindings-node && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent); then
  if ! git diff --exit-code -- bindings-node/index.d.ts; then
    echo "the build changed bindings-node/index.d.ts: commit the regenerated file"
    status=1
    failed=$((failed + 1))
  fi
  (cd bindings-node && npm test) > "$log/node.txt" 2>&1
  node_status=$?
  grep -E '^# (pass|fail)' "$log/node.txt"
  if [ "$node_status" -ne 0 ]; then status=1; cat "$log/node.txt" | tail -40; fi
  p=$(awk '/^# pass/ {print $3}' "$log/node.txt")
  f=$(awk '/^# fail/ {print $3}' "$log/node.txt")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
  if ! (cd bindings-node && npm run typecheck --silent); then status=1; failed=$((failed + 1)); else passed=$((passed + 1)); fi
else
  echo "could not build the Node package"
  status=1
  failed=$((failed + 1))
fi

step "mobile binding (generate Kotlin and Swift, compile Kotlin, JUnit on the JVM)"
if bash bindings-mobile/kotlin-tests/run.sh > "$log/mobile.txt" 2>&1; then
  tail -n 4 "$log/mobile.txt"
else
  tail -n 40 "$log/mobile.txt"
  status=1
fi
p=$(grep -Eo '\[ +[0-9]+ tests successful' "$log/mobile.txt" | grep -Eo '[0-9]+' || true)
f=$(grep -Eo '\[ +[0-9]+ tests failed' "$log/mobile.txt" | grep -Eo '[0-9]+' || true)
passed=$((passed + ${p:-0}))
failed=$((failed + ${f:-0}))
if ! git diff --exit-code -- bindings-mobile/kotlin bindings-mobile/swift; then
  echo "generating the bindings changed bindings-mobile/kotlin or swift: commit the regenerated files"
  status=1
  failed=$((failed + 1))
fi

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
