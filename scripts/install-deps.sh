#!/usr/bin/env bash
# Installs what Berth needs on Debian 12, idempotently: the runtime pieces (runc, conmon, catatonit,
# CNI plugins, iptables), what the tests use (docker-registry, busybox-static, apache2-utils for
# htpasswd, skopeo, umoci) and the build tools (maven). Safe to run again: it installs only what is missing.
set -euo pipefail
PKGS=(runc conmon catatonit tini containernetworking-plugins netavark aardvark-dns iptables docker-registry busybox-static
      apache2-utils skopeo umoci maven openssl curl procps util-linux iproute2 python3 hyperfine)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then echo "install-deps: need root to install: ${missing[*]}" >&2; exit 1; fi
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian's docker-registry package starts a registry on :5000 by default; the tests start their own.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active -q docker-registry 2>/dev/null; then
  systemctl stop docker-registry || true
fi
. "$(dirname "$0")/env.sh"
berth_pick_jdk
echo "install-deps: ok (JDK: $JAVA_HOME)"
