#!/usr/bin/env bash
# CI has no Docker daemon. This builds the release binary from exactly the
# files the Dockerfile's build stage copies, in a folder holding only them,
# with the Dockerfile's own command: a file the image build needs but does
# not copy (build.rs was once one) fails here instead of in `docker build`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT

# COPY lines of the first stage (up to the second FROM), without --from.
awk '/^FROM /{n++} n==1 && /^COPY / && !/--from/' "$root/Dockerfile" |
while read -r _ args; do
  # shellcheck disable=SC2086
  set -- $args
  dest="${!#}"
  for ((i = 1; i < $#; i++)); do
    src="${!i}"
    case "$dest" in
      ./|.) cp -r "$root/$src" "$ctx/" ;;
      *) mkdir -p "$ctx/$dest"; cp -r "$root/$src/." "$ctx/$dest/" ;;
    esac
  done
done
echo "the image's build context: $(cd "$ctx" && ls | tr '\n' ' ')"
build=$(awk '/^FROM /{n++} n==1 && /^RUN cargo build/' "$root/Dockerfile" | sed 's/^RUN //; s/ *\\$//')
[ -n "$build" ] || { echo "no 'RUN cargo build' in the Dockerfile's build stage"; exit 1; }
# Dependencies come from the shared target folder; the crate itself is built
# from the copied files.
(cd "$ctx" && CARGO_TARGET_DIR="$root/target" $build)
echo "the Dockerfile's build stage has every file it needs"
