#!/usr/bin/env bash
# Builds the release library, generates the Kotlin and Swift bindings, compiles the Kotlin
# bindings with the JUnit tests, and runs them on the JVM against the library. Needs Debian's
# libjna-java and junit5 and the npm kotlin-compiler (installed by .ci/run).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
cargo build -q --release -p loyalty-mobile
CARGO_PROFILE_DEV_DEBUG=0 cargo build -q -p uniffi-bindgen
lib="$root/target/release/libloyalty_mobile.so"
target/debug/uniffi-bindgen generate --library "$lib" --language kotlin --out-dir bindings-mobile/kotlin --no-format >/dev/null
target/debug/uniffi-bindgen generate --library "$lib" --language swift --out-dir bindings-mobile/swift --no-format >/dev/null
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
kotlinc="$here/node_modules/kotlin-compiler/bin/kotlinc"
out="$(mktemp -d)"
cp=/usr/share/java/jna.jar:/usr/share/java/junit-jupiter-api.jar:/usr/share/java/junit-platform-commons.jar:/usr/share/java/opentest4j.jar:/usr/share/java/apiguardian-api.jar
"$kotlinc" -nowarn -d "$out/classes" -cp "$cp" bindings-mobile/kotlin/dev/loyalty/loyalty_mobile.kt "$here/MemberStoryTest.kt" 2>&1 | grep -v "^warning" || true
test -d "$out/classes"
java -Djna.library.path="$root/target/release" -Dloyalty.root="$root" \
  -jar /usr/share/java/junit-platform-console-standalone.jar \
  -cp "$out/classes:$cp:$(dirname "$kotlinc")/../lib/kotlin-stdlib.jar" \
  --select-class MemberStoryTest --disable-banner --details=summary 2>&1 | tee "$out/junit.txt" | tail -n 15
grep -Eq '^\[ +[0-9]+ tests failed +\]' "$out/junit.txt" && grep -Eq '\[ +0 tests failed +\]' "$out/junit.txt"
