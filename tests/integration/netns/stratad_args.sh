# Sourced by the shell tests: stratad arguments that keep a test's daemon
# private: its own config db and management socket under the test's work
# dir, never the machine defaults (/var/lib/strata, /run/strata).
# usage: private_stratad_args STRATAD WORKDIR  -> prints the arguments
private_stratad_args() {
  local help
  help=$("$1" --help 2>&1)
  [[ "$help" == *"--db"* ]] && printf -- '--db\n%s\n' "$2/conf.db"
  [[ "$help" == *"--mgmt"* ]] && printf -- '--mgmt\nunix:%s\n' "$2/mgmt.sock"
  return 0
}
