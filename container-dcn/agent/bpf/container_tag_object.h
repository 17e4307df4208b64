// container_tag.bpf.o, compiled at build time and built into the agent
// (CMakeLists.txt, embed_object.cmake): the agent needs no file beside it.
#pragma once

#include <cstddef>

namespace strata::dcn_agent {

extern const unsigned char kContainerTagObject[];
extern const std::size_t kContainerTagObjectSize;

}  // namespace strata::dcn_agent
