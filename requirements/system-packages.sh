#!/usr/bin/env bash
# The system programs the course needs besides Python, from Debian's packages:
#   graphviz  `dot` draws the computational-graph figures (the book, and so the tests);
#   chromium  the headless browser that checks every page of the built book (the tests);
#   bubblewrap  `bwrap`, the sandbox every student submission is graded in (grading, tests);
#   nodejs, npm  JupyterHub's proxy (configurable-http-proxy, an npm package) for the
#             classroom test (tests/test_classroom.py); it needs Node.js 20 or newer.
#   postgresql  a PostgreSQL server the gradebook test starts and stops itself
#             (tests/test_postgres.py; Debian keeps initdb and pg_ctl in /usr/lib/postgresql/).
# Usage: requirements/system-packages.sh book|test|grade
#   (called by `make book`, `make test` and the grading targets `make autograde` etc.)
# What is missing is installed with apt-get when that needs no password (root, or sudo -n);
# otherwise this says what to run and fails, before any long build starts.
set -euo pipefail

missing=()
what="${1:-test}"
if [ "$what" != grade ]; then
  command -v dot >/dev/null 2>&1 || missing+=(graphviz)
fi
if [ "$what" = test ] || [ "$what" = grade ]; then
  command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
fi
if [ "$what" = test ]; then
  command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
    || missing+=(chromium)
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  command -v pg_ctl >/dev/null 2>&1 || compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null \
    || missing+=(postgresql)
fi
# configurable-http-proxy 5 needs Node.js 20 or newer (Debian 12's own nodejs is 18)
node_is_new_enough() {
  [ "$what" != test ] || node -e 'process.exit(parseInt(process.versions.node) < 20 ? 1 : 0)'
}
too_old() {
  echo "error: the classroom test needs Node.js 20 or newer; $(node --version) is installed." >&2
  echo "    Install a newer one (Debian 13's nodejs, or NodeSource's for Debian 12)." >&2
  exit 1
}
if [ ${#missing[@]} -eq 0 ]; then
  node_is_new_enough || too_old
  exit 0
fi

if [ "$(id -u)" = 0 ]; then sudo=(); else sudo=(sudo -n); fi
if command -v apt-get >/dev/null 2>&1 && "${sudo[@]}" true 2>/dev/null; then
  echo "Installing ${missing[*]} with apt-get (system packages the course needs)"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
  node_is_new_enough || too_old
  exit 0
fi
echo "error: the course needs ${missing[*]} (system packages). On Debian or Ubuntu:" >&2
echo "    sudo apt-get install ${missing[*]}" >&2
echo "elsewhere, install Graphviz, Chromium, bubblewrap, PostgreSQL and Node.js (20 or newer," >&2
echo "with npm)" >&2
echo "from your system's package manager." >&2
exit 1
