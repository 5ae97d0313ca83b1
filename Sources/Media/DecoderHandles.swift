// The libav objects behind a VideoReader, owned by one class so they are freed on every path
// (including an initializer that throws half way).

import CFFmpeg

final class DecoderHandles {
    var format: UnsafeMutablePointer<AVFormatContext>?
    var codec: UnsafeMutablePointer<AVCodecContext>?
    var decoded: UnsafeMutablePointer<AVFrame>?
    var converted: UnsafeMutablePointer<AVFrame>?
    var packet: UnsafeMutablePointer<AVPacket>?
    var scaler: FrameScaler?

    deinit {
        avcodec_free_context(&codec)
        avformat_close_input(&format)
        av_frame_free(&decoded)
        av_frame_free(&converted)
        av_packet_free(&packet)
    }
}
