# Part of `cmake --install` (packaging/CMakeLists.txt): the files whose
# contents or place depend on the install prefix. Runs with
# CMAKE_INSTALL_PREFIX as given at install time; file(INSTALL) adds DESTDIR.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(SYSCONFDIR /etc)
else()
  set(SYSCONFDIR ${CMAKE_INSTALL_PREFIX}/etc)
endif()
set(BINDIR ${CMAKE_INSTALL_PREFIX}/bin)

foreach(unit stratad.service strata-dcn-agent.service)
  configure_file(${STRATA_PACKAGING_DIR}/${unit}.in ${STRATA_PACKAGING_BUILD_DIR}/units/${unit} @ONLY)
  file(INSTALL ${STRATA_PACKAGING_BUILD_DIR}/units/${unit} DESTINATION ${CMAKE_INSTALL_PREFIX}/lib/systemd/system)
endforeach()

# An edited config survives `make install` (dpkg keeps it as a conffile).
foreach(conf stratad.conf stratad.env dcn-agent.env)
  if(EXISTS "$ENV{DESTDIR}${SYSCONFDIR}/strata/${conf}" AND NOT STRATA_PACKAGING_OVERWRITE_CONFIG)
    message(STATUS "Keeping: $ENV{DESTDIR}${SYSCONFDIR}/strata/${conf}")
  else()
    file(INSTALL ${STRATA_PACKAGING_DIR}/${conf} DESTINATION ${SYSCONFDIR}/strata)
  endif()
endforeach()
