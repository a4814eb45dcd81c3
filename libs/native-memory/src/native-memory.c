// releaseFreeMemory's native half: glibc's malloc_trim(0), which hands the free pages inside the
// malloc heap back to the kernel. glibc returns free memory on its own only from the top of the
// heap, so a burst (a peer process joining its virtual peers) leaves free pages resident in the
// middle for the life of the process. Elsewhere (musl, macOS) there is nothing to call.
#include <stdlib.h>
#include <node_api.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

static napi_value Trim(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result;
#if defined(__GLIBC__)
  napi_create_int32(env, malloc_trim(0) == 1 ? 1 : 0, &result);
#else
  napi_create_int32(env, -1, &result);
#endif
  return result;
}

NAPI_MODULE_INIT() {
  napi_value trim;
  napi_create_function(env, "trim", NAPI_AUTO_LENGTH, Trim, NULL, &trim);
  napi_set_named_property(env, exports, "trim", trim);
  return exports;
}
