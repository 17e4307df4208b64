# cmake -DINPUT=obj -DOUTPUT=file.cc -P embed_object.cmake
# Writes the bytes of a compiled eBPF object as a C++ array
# (container_tag_object.h declares it), for bpf_object__open_mem().
file(READ ${INPUT} hex HEX)
string(LENGTH "${hex}" hex_length)
math(EXPR size "${hex_length} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "((0x..,){16})" "\\1\n" bytes "${bytes}")
file(WRITE ${OUTPUT}
  "// Generated from container_tag.bpf.o by embed_object.cmake; do not edit.\n"
  "#include \"container-dcn/agent/bpf/container_tag_object.h\"\n"
  "namespace strata::dcn_agent {\n"
  "alignas(8) const unsigned char kContainerTagObject[] = {\n${bytes}\n};\n"
  "const std::size_t kContainerTagObjectSize = ${size};\n"
  "}  // namespace strata::dcn_agent\n")
