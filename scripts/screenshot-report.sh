#!/usr/bin/env bash
# Renders a study's report.html in headless Chromium and saves a full-page screenshot (proof that it renders).
#   scripts/screenshot-report.sh STUDY_DIR [OUT.png]
set -euo pipefail
study="${1:?usage: scripts/screenshot-report.sh STUDY_DIR [OUT.png]}"
out="${2:-$study/report-screenshot.png}"
page="$(cd "$study" && pwd)/report.html"
[[ -f "$page" ]] || { echo "no report.html in $study; run 'labelrep report --study $study' first" >&2; exit 1; }
browser="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
if [[ -z "$browser" ]]; then
  echo "no Chromium found; install it with: apt-get install -y chromium" >&2
  exit 1
fi
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,6000 \
  --screenshot="$(realpath -m "$out")" "file://$page" >/dev/null 2>&1
echo "wrote $out"
