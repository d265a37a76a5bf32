#!/usr/bin/env bash
# Installs what a fresh Linux machine needs besides the .NET 10 SDK: OpenCvSharp's native library links GTK 3.
set -euo pipefail
if ldconfig -p 2>/dev/null | grep -q 'libgtk-3\.so\.0'; then exit 0; fi
if ! command -v apt-get >/dev/null; then
  echo "Please install GTK 3 (libgtk-3-0 or your distribution's equivalent); OpenCV's native library needs it." >&2
  exit 1
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing libgtk-3-0 (needed by OpenCV's native library)..." >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq libgtk-3-0 >/dev/null
