#ifndef DCVC_CZSTD_SHIM_H
#define DCVC_CZSTD_SHIM_H
#include <zstd.h>
#endif
