#!/usr/bin/env bash
# Rewrites PublicAPI.Unshipped.txt of both packages from the code (after a deliberate public API change).
set -euo pipefail
cd "$(dirname "$0")/.."
for project in src/DataRenew.Sdk src/DataRenew.Sdk.Testing; do
  printf '#nullable enable\n' > "$project/PublicAPI.Unshipped.txt"
  dotnet format analyzers "$project/$(basename "$project").csproj" --diagnostics RS0016 --severity warn >/dev/null
done
git --no-pager diff --stat -- 'src/*/PublicAPI.Unshipped.txt'
