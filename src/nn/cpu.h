// The CPU as oneDNN sees it: which instruction set its kernels dispatch to, and what follows
// from that for the layers (the blocked activation layout, whether bf16 runs on fast kernels,
// how many threads to use by default). The inference network and the trainable stack both ask
// here, so they agree on the layout.
#pragma once
#include <dnnl.hpp>
#include <string>

namespace blastscan {

// Channels per block of the blocked activation layout: 16 where oneDNN dispatches to AVX-512
// (one 512-bit register of floats), 8 otherwise (AVX2).
int channel_block();
// nChw16c or nChw8c, after channel_block().
dnnl::memory::format_tag blocked_activation_tag();
// Whether oneDNN runs bf16 convolutions on fast kernels here (avx512_core_bf16 or AMX).
bool has_fast_bf16();
// The cores oneDNN may use by default.
int default_thread_count();
// The CPU's model name, the ISA oneDNN dispatches to and the CPU's relevant instruction sets
// (avx2 ... amx_int8), for benchmark headers and messages.
std::string cpu_isa_description();

}  // namespace blastscan
