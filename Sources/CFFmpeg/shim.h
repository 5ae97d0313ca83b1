#ifndef DCVC_CFFMPEG_SHIM_H
#define DCVC_CFFMPEG_SHIM_H
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libavutil/avutil.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libavutil/error.h>
#include <libswscale/swscale.h>

/* AVERROR(e) and friends are macros Swift cannot import. */
static inline int dcvc_averror(int e) { return AVERROR(e); }
static inline int dcvc_averror_eof(void) { return AVERROR_EOF; }
static inline int dcvc_averror_eagain(void) { return AVERROR(EAGAIN); }
#endif
