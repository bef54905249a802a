#include "serve/malloc_arenas.h"

#include <malloc.h>

namespace blastscan {

void limit_malloc_arenas(int arenas) {
  // glibc takes any positive count (mallopt answers 1); a sanitizer's allocator answers 0 and
  // has no arenas to limit.
  if (arenas > 0) mallopt(M_ARENA_MAX, arenas);
}

}  // namespace blastscan
