// releaseFreeMemory's native half: glibc's malloc_trim(0), which hands the free pages inside the
// malloc heap back to the kernel. glibc returns free memory on its own only from the top of the
// heap, so a burst (a peer process joining its virtual peers) leaves free pages resident in the
// middle for the life of the process. Elsewhere (musl, macOS) there is nothing to call.
#include <stdlib.h>  // defines __GLIBC__ (through features.h) where the C library is glibc
#include <node_api.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

// 1: pages released, 0: nothing to release, -1: not glibc. NULL (a pending JS exception) on an
// N-API failure.
static napi_value Trim(napi_env env, napi_callback_info info) {
  (void)info;
#if defined(__GLIBC__)
  int32_t outcome = malloc_trim(0) == 1 ? 1 : 0;
#else
  int32_t outcome = -1;
#endif
  napi_value result = NULL;
  if (napi_create_int32(env, outcome, &result) != napi_ok) return NULL;
  return result;
}

NAPI_MODULE_INIT() {
  napi_value trim = NULL;
  if (napi_create_function(env, "trim", NAPI_AUTO_LENGTH, Trim, NULL, &trim) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "trim", trim) != napi_ok) return NULL;
  return exports;
}
