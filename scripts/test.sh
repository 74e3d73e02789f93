#!/usr/bin/env bash
# `npm test`: every test suite, one after the other, then one summary line
# "N passed, N failed" (the sum over all suites). Installs what the tests need
# when it is missing: Debian's Chromium for the browser tests (as root), the
# embedded database's FerretDB binary (built with Go). Exits non-zero when any
# test fails or any suite cannot run.
set -uo pipefail
cd "$(dirname "$0")/.."

export NEXT_TELEMETRY_DISABLED=1
REPORTS=tests/.artifacts/reports

# name:runner — the runner decides how the suite's JSON report is produced and read.
# Add a suite here (and its `test:<name>` npm script) to make it part of `npm test`.
SUITES=(
  unit:vitest
  integration:vitest
  e2e:playwright
  fault:vitest
)
# Where tests/playwright.config.ts writes its JSON report.
PLAYWRIGHT_REPORT=tests/.artifacts/e2e/report.json

say() { printf '\n▸ %s\n' "$*"; }

ensure_node_modules() {
  [[ -d node_modules ]] || { say "Installing npm dependencies (npm ci)…"; npm ci --no-audit --no-fund; }
}

ensure_chromium() {
  [[ -x /usr/bin/chromium ]] && return 0
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    say "Installing Debian's Chromium for the browser tests…"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null && [[ -x /usr/bin/chromium ]]
  else
    echo "The browser tests need Debian's Chromium at /usr/bin/chromium: sudo apt-get install -y chromium" >&2
    return 1
  fi
}

# A mongod on PATH is used as it is; otherwise the FerretDB wrapper is built once (needs Go).
ensure_database() {
  command -v mongod >/dev/null && return 0
  node --import tsx --eval "require('./scripts/local-db.ts').ensureFerretDbBinary()"
}

# Prints "<passed> <failed>" from a suite's JSON report.
count_results() {
  local runner=$1 report=$2
  node -e '
    const [runner, file] = process.argv.slice(1);
    const text = require("node:fs").readFileSync(file, "utf8");
    // A script suite ends its output with the plain "N passed, N failed" line.
    const fromScript = () => {
      const last = (text.match(/^\d+ passed, \d+ failed$/gm) ?? []).at(-1);
      if (!last) process.exit(1);
      return last.match(/\d+/g);
    };
    const fromJson = () => {
      const report = JSON.parse(text);
      return runner === "playwright"
        ? [report.stats.expected + report.stats.flaky, report.stats.unexpected]
        : [report.numPassedTests, report.numFailedTests];
    };
    console.log((runner === "script" ? fromScript() : fromJson()).join(" "));
  ' "$runner" "$report"
}

report_of() {
  local name=$1 runner=$2
  case $runner in
    playwright) echo "$PLAYWRIGHT_REPORT" ;;
    *) echo "$REPORTS/$name.json" ;;
  esac
}

run_suite() {
  local name=$1 runner=$2 report=$3
  case $runner in
    vitest) npm run -s "test:$name" -- --reporter=default --reporter=json --outputFile.json="$report" ;;
    playwright) ensure_chromium && npm run -s "test:$name" ;;
    script) npm run -s "test:$name" 2>&1 | tee "$report"; return "${PIPESTATUS[0]}" ;;
    *) echo "unknown runner $runner" >&2; return 1 ;;
  esac
}

mkdir -p "$REPORTS"
total_passed=0
total_failed=0
summaries=()

ensure_node_modules || { echo "npm ci failed" >&2; echo "0 passed, 1 failed"; exit 1; }
if ! ensure_database; then
  echo "The embedded test database cannot be built: install Go (https://go.dev/dl/) or put a mongod on PATH." >&2
  echo "0 passed, 1 failed"
  exit 1
fi

for suite in "${SUITES[@]}"; do
  name=${suite%%:*}
  runner=${suite#*:}
  report=$(report_of "$name" "$runner")
  rm -f "$report"
  say "$name tests"
  started=$SECONDS
  run_suite "$name" "$runner" "$report"
  status=$?
  passed=0
  failed=0
  counted=""
  if [[ -s $report ]] && counts=$(count_results "$runner" "$report"); then
    read -r passed failed <<<"$counts"
    counted=1
  fi
  # A runner that failed without reporting a failed test (crash, server that never came up, file that
  # did not load) still fails the run.
  if [[ $status -ne 0 && $failed -eq 0 ]]; then
    failed=1
    note=" (the suite did not complete: exit $status)"
  elif [[ -z $counted || $passed -eq 0 ]]; then
    # A suite that reports nothing, or runs no test, proves nothing.
    failed=$((failed + 1))
    note=" (no test results could be read)"
  else
    note=""
  fi
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
  summaries+=("$(printf '%-12s %4d passed, %d failed in %ds%s' "$name" "$passed" "$failed" $((SECONDS - started)) "$note")")
done

printf '\n'
printf '%s\n' "${summaries[@]}"
echo "$total_passed passed, $total_failed failed"
[[ $total_failed -eq 0 ]]
