#!/bin/sh
# Install the shells whose completion scripts the tests drive (bash is already there).
# Idempotent: does nothing when zsh and fish are installed. Needs root (CI containers).
set -eu
missing=""
command -v zsh >/dev/null 2>&1 || missing="$missing zsh"
command -v fish >/dev/null 2>&1 || missing="$missing fish"
[ -z "$missing" ] && exit 0
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086 # one word per package
apt-get install -y -qq --no-install-recommends $missing
