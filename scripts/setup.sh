#!/usr/bin/env bash
# One command from a fresh clone to the seed study in out/:
# system packages, npm packages, build, Jupyter kernelspec, main job.
# Safe to re-run. Each stage prints one line; a failing command shows
# the end of its output.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$(pwd)
log=$(mktemp "${TMPDIR:-/tmp}/tlbrace-setup.XXXXXX")
trap 'rm -f "$log"' EXIT

# Debian packages: Jupyter for the kernel and notebook tests, chromium for
# the browser tests (PNG rendering, HTML checks), SimPy 2 for the benchmark,
# spin and gcc for the test that checks the explorer's Promela export (gcc
# also builds tlbrace measure's load helper), bpftrace for tlbrace measure,
# slurm-wlm and munge for the test that runs the Slurm example on a
# one-machine cluster (scripts/slurm-local.sh).
apt_packages=(jupyter-nbconvert python3-nbclient jupyter-client
  python3-ipykernel jupyter-notebook chromium python3-simpy spin gcc bpftrace
  slurm-wlm munge)

step() { printf '==> %s\n' "$*"; }

# Run a command with its output in the log; show the tail when it fails.
quiet() {
  if ! "$@" >"$log" 2>&1; then
    local kept="${TMPDIR:-/tmp}/tlbrace-setup.log"
    cp "$log" "$kept"
    echo "failed: $*" >&2
    tail -n 40 "$log" >&2
    echo "(full output: $kept)" >&2
    exit 1
  fi
}

missing_packages() {
  local p
  for p in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
      printf '%s\n' "$p"
  done
}

if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number);
    process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' 2>/dev/null; then
  echo "Node.js >= 20.19 is required (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

if ! command -v dpkg-query >/dev/null; then
  step "system packages: not a Debian system, assuming Jupyter and chromium are installed"
else
  mapfile -t missing < <(missing_packages)
  if [ "${#missing[@]}" -eq 0 ]; then
    step "system packages: present"
  elif [ "$(id -u)" -eq 0 ]; then
    step "system packages: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    quiet apt-get update
    quiet apt-get install -y "${missing[@]}"
  else
    echo "Missing system packages. Run this as root, then re-run setup:" >&2
    echo "  apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

step "npm packages: npm ci"
quiet npm ci --no-audit --no-fund --loglevel=error

step "build: npm run build"
quiet npm run --silent build

step "kernel: registering Jupyter kernelspec tlbrace"
quiet node scripts/install-kernel.mjs

step "seed study: node bin/tlbrace.js study --out out"
node bin/tlbrace.js study --out out
step "done: results in $repo/out"
