# Run at build time (cmake -P): writes OUT from IN with the release number
# VERSION and `git describe` of SOURCE_DIR. configure_file leaves OUT alone
# when the text is unchanged, so nothing recompiles between commits.
execute_process(
  COMMAND git -C "${SOURCE_DIR}" describe --tags --always --dirty
  OUTPUT_VARIABLE described
  OUTPUT_STRIP_TRAILING_WHITESPACE
  ERROR_QUIET
  RESULT_VARIABLE rc)
if(rc EQUAL 0 AND described)
  set(STRATA_VERSION_TEXT "${VERSION} (git ${described})")
else()
  set(STRATA_VERSION_TEXT "${VERSION}")
endif()
configure_file("${IN}" "${OUT}" @ONLY)
