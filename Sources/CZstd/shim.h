#ifndef CALLSHEET_CZSTD_SHIM_H
#define CALLSHEET_CZSTD_SHIM_H
#include <zstd.h>
#include <zstd_errors.h>

/// ZSTD_COMPRESSBOUND is a macro; Swift cannot import it.
static inline size_t callsheet_zstd_compress_bound(size_t size) {
    return ZSTD_COMPRESSBOUND(size);
}
#endif
