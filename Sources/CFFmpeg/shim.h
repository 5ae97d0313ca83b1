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
static inline int dcvc_averror_stream_not_found(void) { return AVERROR_STREAM_NOT_FOUND; }
static inline int dcvc_averror_decoder_not_found(void) { return AVERROR_DECODER_NOT_FOUND; }
static inline int dcvc_averror_invalid_data(void) { return AVERROR_INVALIDDATA; }
/* AV_NOPTS_VALUE is an unsigned-cast macro; Swift sees it as a UInt64. */
static inline int64_t dcvc_nopts_value(void) { return AV_NOPTS_VALUE; }
#endif
