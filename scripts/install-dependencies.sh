#!/usr/bin/env bash
# Installs what a fresh Linux machine needs besides the .NET 10 SDK: OpenCvSharp's native library links GTK 3.
# With --native-compiler also a C toolchain (clang, zlib), which ahead-of-time compiling the pdnseg command line needs.
set -euo pipefail
packages=()
# grep reads all of its input (no -q): under pipefail, an early exit would fail the pipeline with SIGPIPE.
ldconfig -p 2>/dev/null | grep 'libgtk-3\.so\.0' >/dev/null || packages+=(libgtk-3-0)
if [ "${1:-}" = "--native-compiler" ]; then
  command -v clang >/dev/null || compgen -c clang- | grep -x 'clang-[0-9]*' >/dev/null || packages+=(clang)
  [ -e /usr/include/zlib.h ] || packages+=(zlib1g-dev)
fi
[ ${#packages[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
  echo "Please install ${packages[*]} (or your distribution's equivalents): OpenCV's native library needs GTK 3; compiling pdnseg ahead of time needs clang and zlib." >&2
  exit 1
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing ${packages[*]}..." >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${packages[@]}" >/dev/null
