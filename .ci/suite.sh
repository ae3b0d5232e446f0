# Sourced by .ci/run (and its Socket Mode run in the background).
# pytest exits 5 when it collected nothing: a broken test path must not pass as "no failures".
# The suite runs in four workers (pyproject.toml's pytest options) unless the caller says `-n`.
run_suite() {
  local rc=0
  ./dev test "$@" || rc=$?
  [ "$rc" -eq 5 ] && echo "CI: pytest collected no tests" >&2
  [ "$rc" -eq 0 ] || echo "CI: test suite failed (exit $rc)" >&2
  return "$rc"
}
