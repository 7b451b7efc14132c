#!/usr/bin/env bash
# Scripted mutation testing of the core's rules (issue 13).
#
#   scripts/mutate-core.sh [mutations file] [id ...]
#
# Each block of scripts/core-mutations.txt (default) names a file, an exact snippet of it and a
# replacement. For each mutation, one at a time, the script edits a COPY of the tree, rebuilds
# llmstream_core_tests there (only the changed object(s) and the link) and runs the whole test
# binary (MUTATE_FILTERED=1: only the block's gtest filter). A mutant is killed when a test fails,
# survives when all pass. The checkout is never edited. Prints one line per mutant and the score;
# MUTATE_KILLERS=<file> also writes every failing test per killed mutant there. Exit 0 when no
# mutant survived. Takes ~6 min for the 21 mutations (2 cores, -j2).
#
# How the copy builds incrementally: core/, tests/, platform/, cmake/, ... and
# build/native-release are copied to /tmp/mutants-<pid> with their timestamps, and every build and
# test run happens in a private mount namespace (unshare -rm) where that copy is bind-mounted over
# the checkout's path. Every absolute path in the copied build dir (build.ninja, compile commands,
# the ninja deps log) is then still right, so ninja only rebuilds what a mutation touched. After
# each mutant, the file and the build dir are put back as they were (the pristine build dir is
# kept beside it), so the next mutant costs one compile and one link again.
# Needs: unshare with user namespaces, python3, a current build/native-release (cmake --preset
# native-release && cmake --build --preset native-release). Use -j2: the machine is shared.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
MUTATIONS="${1:-$REPO/scripts/core-mutations.txt}"
shift || true
ONLY=("$@")
JOBS="${MUTATE_JOBS:-2}"
WORK="${MUTATE_WORK:-/tmp/mutants-$$}"
BUILD=build/native-release
[[ -f "$REPO/$BUILD/build.ninja" ]] || { echo "no $REPO/$BUILD: configure and build it first" >&2; exit 2; }
unshare -rm true 2>/dev/null || { echo "unshare -rm is not allowed here" >&2; exit 2; }

echo "mutate-core: copying the tree to $WORK"
mkdir -p "$WORK/build" "$WORK/.pristine"
for d in CMakeLists.txt CMakePresets.json cmake core platform tests fuzz bench server; do
  [[ -e "$REPO/$d" ]] && cp -a "$REPO/$d" "$WORK/"
done
cp -a "$REPO/$BUILD" "$WORK/$BUILD"
cleanup() { [[ -n "${MUTATE_KEEP:-}" ]] || rm -rf "$WORK"; }
trap cleanup EXIT

# Runs "$@" with the copy mounted over the checkout's path (only inside this one process tree).
in_copy() {
  unshare -rm bash -c 'mount --bind "$1" "$2" && cd "$2" && shift 2 && "$@"' _ "$WORK" "$REPO" "$@"
}
build() { in_copy cmake --build "$BUILD" --target llmstream_core_tests -j"$JOBS" >"$WORK/build.log" 2>&1; }
run_tests() {  # $1: gtest filter or ""
  local args=(--gtest_brief=1 --gtest_color=no)
  [[ -n "$1" ]] && args+=("--gtest_filter=$1")
  in_copy timeout 300 "$BUILD/tests/llmstream_core_tests" "${args[@]}" >"$WORK/test.log" 2>&1
}

echo "mutate-core: baseline build and test run"
t0=$(date +%s)
build || { tail -30 "$WORK/build.log"; echo "baseline build failed" >&2; exit 2; }
run_tests "" || { tail -30 "$WORK/test.log"; echo "baseline tests fail: fix them first" >&2; exit 2; }
echo "mutate-core: baseline ok ($(( $(date +%s) - t0 )) s)"
cp -a "$WORK/$BUILD" "$WORK/.pristine/build"

# The mutations, one per line as JSON: {id, what, file, filter, old, new}.
mapfile -t ENTRIES < <(python3 - "$MUTATIONS" <<'PY'
import json, sys
blocks, cur = [], None
for raw in open(sys.argv[1], encoding="utf-8").read().split("\n"):
    if raw.startswith("## "):
        head = raw[3:].split(" ", 1)
        cur = {"id": head[0], "what": head[1] if len(head) > 1 else "", "file": "", "filter": "",
               "old": [], "new": []}
        blocks.append(cur)
    elif cur is None or raw.startswith("#") and not raw.startswith("## "):
        continue
    elif raw.startswith("file: "):
        cur["file"] = raw[6:].strip()
    elif raw.startswith("filter: "):
        cur["filter"] = raw[8:].strip()
    elif raw.startswith("- ") or raw == "-":
        cur["old"].append(raw[2:])
    elif raw.startswith("+ ") or raw == "+":
        cur["new"].append(raw[2:])
for b in blocks:
    b["old"], b["new"] = "\n".join(b["old"]), "\n".join(b["new"])
    print(json.dumps(b))
PY
)

killed=0; survived=0; invalid=0; total=0
RESULTS="$WORK/results.txt"; : >"$RESULTS"
for entry in "${ENTRIES[@]}"; do
  id=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$entry")
  if [[ ${#ONLY[@]} -gt 0 && ! " ${ONLY[*]} " == *" $id "* ]]; then continue; fi
  file=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["file"])' "$entry")
  filter=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["filter"])' "$entry")
  total=$((total + 1))
  cp -p "$WORK/$file" "$WORK/.pristine/file"
  # Apply: the snippet must occur exactly once.
  if ! python3 - "$WORK/$file" "$entry" <<'PY'
import json, sys
path, m = sys.argv[1], json.loads(sys.argv[2])
text = open(path, encoding="utf-8").read()
n = text.count(m["old"])
if n != 1:
    sys.exit(f"{m['id']}: the snippet occurs {n} times in {m['file']}")
open(path, "w", encoding="utf-8").write(text.replace(m["old"], m["new"]))
PY
  then
    status=STALE
    invalid=$((invalid + 1))
  else
    t0=$(date +%s)
    if ! build; then
      status=NOCOMPILE
      invalid=$((invalid + 1))
      grep -m3 'error' "$WORK/build.log" | sed 's/^/    /' || true
    else
      tb=$(( $(date +%s) - t0 ))
      if run_tests "$([[ -n "${MUTATE_FILTERED:-}" ]] && echo "$filter")"; then
        status=SURVIVED; survived=$((survived + 1))
      else
        status=KILLED; killed=$((killed + 1))
        # All failing tests go to the results file; the line shows the count and the first three.
        all=$(grep -o '^\[  FAILED  \] [A-Za-z0-9_/.]*' "$WORK/test.log" | sed 's/^\[  FAILED  \] //' | sort -u || true)
        echo "$id: $(echo "$all" | paste -sd' ' -)" >>"$WORK/killers.txt"
        failing="$(echo "$all" | grep -c . || true) tests: $(echo "$all" | head -3 | paste -sd, -)"
      fi
    fi
    # Put the file and the build dir back exactly as they were.
    cp -p "$WORK/.pristine/file" "$WORK/$file"
    rm -rf "${WORK:?}/$BUILD" && cp -a "$WORK/.pristine/build" "$WORK/$BUILD"
  fi
  line=$(printf '%-9s %-24s %4s s  %s' "$status" "$id" "$(( $(date +%s) - t0 ))" \
         "$([[ $status == KILLED ]] && echo "by ${failing:-?}")")
  echo "$line" | tee -a "$RESULTS"
  failing=""
done
valid=$((killed + survived))
echo "mutate-core: $killed killed, $survived survived, $invalid invalid of $total;" \
     "score $([[ $valid -gt 0 ]] && echo "$((100 * killed / valid))%" || echo n/a)"
grep '^SURVIVED' "$RESULTS" | sed 's/^/  survivor: /' || true
# Every failing test per killed mutant (MUTATE_KILLERS=path keeps the list).
[[ -n "${MUTATE_KILLERS:-}" && -f "$WORK/killers.txt" ]] && cp "$WORK/killers.txt" "$MUTATE_KILLERS"
[[ $survived -eq 0 ]]
