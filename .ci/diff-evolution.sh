#!/usr/bin/env bash
# `hnp-events diff` between two revisions of a generated history: fixtures/hnp committed as
# `v1`, the fixtures/hnp-evolution patches replayed one commit each, the last tagged `v2`
# (as tests/it/diff.rs does). Checks the exit code (1: breaking changes) and that the
# markdown changelog is the snapshot tests/it/snapshots/it__diff__hnp_evolution_changelog.snap.
# Usage: .ci/diff-evolution.sh PATH/TO/hnp-events
set -euo pipefail
bin=$(realpath "$1")
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/fixtures"
cp -r "$root/fixtures/hnp" "$work/fixtures/hnp"
printf 'documents:\n  - fixtures/hnp/asyncapi.yaml\n  - fixtures/hnp/asyncapi-2.6.yaml\n  - fixtures/hnp/openapi.yaml\n' > "$work/hnp-events.yaml"
cd "$work"
g() { git -c user.name=ci -c user.email=ci@example.invalid -c commit.gpgsign=false "$@"; }
g init -q .
g add -A && g commit -qm v1 && g tag v1
for p in "$root"/fixtures/hnp-evolution/*.patch; do
  g apply "$p"
  g add -A && g commit -qm "$(basename "$p")"
done
g tag v2
rc=0
"$bin" diff v1 v2 --format markdown > "$work/changelog.md" || rc=$?
if [ "$rc" -ne 1 ]; then
  echo "diff v1 v2: exit code $rc, expected 1 (breaking changes found)" >&2
  exit 1
fi
# The snapshot's body follows its second `---` line.
awk 'n >= 2 { print } /^---$/ { n++ }' "$root/tests/it/snapshots/it__diff__hnp_evolution_changelog.snap" > "$work/expected.md"
# (insta drops trailing blank lines; so does `$(…)`).
if ! diff -u <(printf '%s\n' "$(cat "$work/expected.md")") <(printf '%s\n' "$(cat "$work/changelog.md")"); then
  echo "diff v1 v2 --format markdown differs from the snapshot" >&2
  exit 1
fi
"$bin" diff v2 > /dev/null || { echo "diff v2 (unchanged working tree): expected exit 0" >&2; exit 1; }
echo "diff v1 v2: exit 1 and the changelog snapshot ($(grep -c '^- ' "$work/changelog.md") entries)"
