#include "nn/cpu.h"

#include <omp.h>

#include <fstream>
#include <map>

namespace blastscan {

namespace {

// oneDNN's ISA values are bit sets (avx2_vnni is numerically above avx512_core without
// containing it), so "at least" means "has all the bits".
bool dispatches_to(dnnl::cpu_isa wanted) {
  const auto isa = static_cast<unsigned>(dnnl::get_effective_cpu_isa());
  const auto bits = static_cast<unsigned>(wanted);
  return (isa & bits) == bits;
}

}  // namespace

int channel_block() { return dispatches_to(dnnl::cpu_isa::avx512_core) ? 16 : 8; }

dnnl::memory::format_tag blocked_activation_tag() {
  return channel_block() == 16 ? dnnl::memory::format_tag::nChw16c : dnnl::memory::format_tag::nChw8c;
}

bool has_fast_bf16() { return dispatches_to(dnnl::cpu_isa::avx512_core_bf16); }  // AMX includes these bits

int default_thread_count() { return omp_get_num_procs(); }

std::string cpu_isa_description() {
  static const std::map<dnnl::cpu_isa, std::string> names = {
      {dnnl::cpu_isa::sse41, "sse41"},
      {dnnl::cpu_isa::avx, "avx"},
      {dnnl::cpu_isa::avx2, "avx2"},
      {dnnl::cpu_isa::avx512_core, "avx512_core"},
      {dnnl::cpu_isa::avx512_core_vnni, "avx512_core_vnni"},
      {dnnl::cpu_isa::avx512_core_bf16, "avx512_core_bf16"},
      {dnnl::cpu_isa::avx512_core_amx, "avx512_core_amx"},
      {dnnl::cpu_isa::avx2_vnni, "avx2_vnni"},
  };
  const auto it = names.find(dnnl::get_effective_cpu_isa());
  std::string s = "oneDNN " + (it != names.end() ? it->second : "isa#" + std::to_string(int(dnnl::get_effective_cpu_isa())));
  // The instruction sets that matter for fp32/bf16/int8, from the kernel's view of the CPU.
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0 && line.find(':') != std::string::npos) s = line.substr(line.find(':') + 2) + ", " + s;
    if (line.rfind("flags", 0) != 0) continue;
    s += "; CPU:";
    for (const char* flag : {" avx2", " fma", " avx512f", " avx512_vnni", " avx512_bf16", " amx_bf16", " amx_int8"})
      if (line.find(std::string(flag) + " ") != std::string::npos) s += flag;
    break;
  }
  return s;
}

}  // namespace blastscan
