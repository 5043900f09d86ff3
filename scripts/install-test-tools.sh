#!/usr/bin/env bash
# Tools the test suite runs for real: Debian's chromium, Java for the Nu HTML
# checker, rsync (a deploy copies output/ whole), Dovecot's IMAP server (invoke inbox),
# poppler and zbar (printed sheets are counted and their QR codes decoded),
# and vnu.jar from npm (pinned). Idempotent; needs root (or sudo) for apt.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v chromium >/dev/null || need_apt+=(chromium fonts-liberation)
command -v java >/dev/null || need_apt+=(default-jre-headless)
command -v npm >/dev/null || need_apt+=(npm)
command -v rsync >/dev/null || need_apt+=(rsync)
[ -x /usr/sbin/dovecot ] && [ -e /usr/lib/dovecot/imap ] || need_apt+=(dovecot-imapd)
command -v pdftoppm >/dev/null || need_apt+=(poppler-utils)
command -v zbarimg >/dev/null || need_apt+=(zbar-tools)
if [ ${#need_apt[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi

VNU_VERSION=26.9.27
jar=.tools/node_modules/vnu-jar/build/dist/vnu.jar
if [ ! -f "$jar" ] || ! grep -q "\"version\": \"$VNU_VERSION\"" .tools/node_modules/vnu-jar/package.json; then
  mkdir -p .tools
  npm install --prefix .tools --no-audit --no-fund --silent "vnu-jar@$VNU_VERSION"
fi
echo "test tools ready: $(command -v chromium) $(command -v java) $(command -v rsync) /usr/sbin/dovecot $(command -v pdftoppm) $(command -v zbarimg) $jar"
