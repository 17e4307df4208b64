# The fuzz targets, one line each: every parser of outside bytes has one.
strata_fuzz_target(fuzz_hv_bzimage SOURCES fuzz_hv_bzimage.cc LIBS strata_hv_formats)
strata_fuzz_target(fuzz_hv_elf SOURCES fuzz_hv_elf.cc LIBS strata_hv_formats)
strata_fuzz_target(fuzz_hv_vhost_reply SOURCES fuzz_hv_vhost_reply.cc LIBS strata_hv_formats)
