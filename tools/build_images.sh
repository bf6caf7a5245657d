#!/usr/bin/env bash
# Build the Docker images of both connectors and check that each answers `spec`.
#
#   tools/build_images.sh [TAG]      (or: make images)
#
# Each image is tagged <dockerRepository>:<TAG> (default TAG: dev) and
# <dockerRepository>:<dockerImageTag>, both read from the connector's metadata.yaml.
# The build context is the repository root: both connectors are one Python distribution.
# PLATFORM=linux/arm64 tools/build_images.sh builds for another architecture (default linux/amd64,
# which is what the Airbyte platform runs).
# NAMESPACE=you tools/build_images.sh (make images NAMESPACE=you) tags <you>/<connector> instead of
# the metadata's namespace, for a registry you can push to.
# This is the equivalent of `airbyte-cdk image build`, which cannot build this layout: it uses the
# connector directory as the build context, and both connectors are one distribution at the root.
set -euo pipefail
cd "$(dirname "$0")/.."

TAG="${1:-dev}"
PLATFORM="${PLATFORM:-linux/amd64}"
CONNECTORS=(source-bank-receipts destination-gdrive-receipts)

fail() { echo "make images: $*" >&2; exit 1; }

command -v docker >/dev/null 2>&1 \
  || fail "Docker is not installed on this machine (no 'docker' command), so the images cannot be built here. Install Docker Engine or Docker Desktop, then rerun 'make images'."
docker info >/dev/null 2>&1 \
  || fail "the 'docker' command exists but no Docker daemon answers ('docker info' failed), so the images cannot be built here. Start Docker (or check DOCKER_HOST and your permissions on the socket), then rerun 'make images'."

# meta FILE KEY: the scalar value of KEY in a metadata.yaml, block or flow style, unquoted.
meta() {
  grep -o "$2:[[:space:]]*[^,}[:space:]]*" "$1" | head -n1 | sed -e "s/^$2:[[:space:]]*//" -e "s/[\"']//g"
}

for name in "${CONNECTORS[@]}"; do
  dir="connectors/$name"
  [ -f "$dir/metadata.yaml" ] || fail "$dir/metadata.yaml is missing."
  repo="$(meta "$dir/metadata.yaml" dockerRepository)"
  [ -z "${NAMESPACE:-}" ] || repo="$NAMESPACE/${repo##*/}"
  version="$(meta "$dir/metadata.yaml" dockerImageTag)"
  [ -n "$repo" ] && [ -n "$version" ] || fail "$dir/metadata.yaml lacks dockerRepository or dockerImageTag."

  echo "==> building $repo:$TAG ($PLATFORM) from $dir/Dockerfile"
  docker build \
    --platform "$PLATFORM" \
    --file "$dir/Dockerfile" \
    --label "io.airbyte.name=$repo" \
    --label "io.airbyte.version=$version" \
    --tag "$repo:$TAG" \
    --tag "$repo:$version" \
    .

  echo "==> checking that $repo:$TAG answers 'spec'"
  docker run --rm "$repo:$TAG" spec | grep -q '"type": *"SPEC"' \
    || fail "$repo:$TAG built but printed no SPEC message; run 'docker run --rm $repo:$TAG spec' to see why."
done

built() { local r; r="$(meta "connectors/$1/metadata.yaml" dockerRepository)"; [ -z "${NAMESPACE:-}" ] || r="$NAMESPACE/${r##*/}"; echo "$r"; }
echo "Built: $(for n in "${CONNECTORS[@]}"; do printf '%s ' "$(built "$n"):$TAG"; done)"
