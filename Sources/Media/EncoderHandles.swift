// The libav objects behind a VideoWriter, owned by one class so they are freed on every path.

import CFFmpeg

final class EncoderHandles {
    var format: UnsafeMutablePointer<AVFormatContext>?
    var codec: UnsafeMutablePointer<AVCodecContext>?
    var frame: UnsafeMutablePointer<AVFrame>?
    var staging: UnsafeMutablePointer<AVFrame>?
    var packet: UnsafeMutablePointer<AVPacket>?
    var scaler: FrameScaler?
    var fileOpen = false

    deinit {
        avcodec_free_context(&codec)
        if let f = format {
            if fileOpen { avio_closep(&f.pointee.pb) }
            avformat_free_context(f)
        }
        av_frame_free(&frame)
        av_frame_free(&staging)
        av_packet_free(&packet)
    }
}
