# The fuzz targets, one line each: every parser of outside bytes has one.
strata_fuzz_target(fuzz_l2tags_parse SOURCES fuzz_l2tags_parse.cc LIBS strata_l2tags)
strata_fuzz_target(fuzz_l2tags_notation SOURCES fuzz_l2tags_notation.cc LIBS strata_l2tags)
strata_fuzz_target(fuzz_flow_extract SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_flow_extract.cc LIBS strata_datapath_core)
strata_fuzz_target(fuzz_hv_bzimage SOURCES fuzz_hv_bzimage.cc LIBS strata_hv_formats)
strata_fuzz_target(fuzz_hv_elf SOURCES fuzz_hv_elf.cc LIBS strata_hv_formats)
strata_fuzz_target(fuzz_hv_vhost_reply SOURCES fuzz_hv_vhost_reply.cc LIBS strata_hv_formats)
strata_fuzz_target(fuzz_openflow_decode SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_openflow_decode.cc LIBS strata_ofp)
