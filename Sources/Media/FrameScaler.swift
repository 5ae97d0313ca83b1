// A SwsContext owned by a class: converts whole frames between pixel formats at the same size.

import CFFmpeg

/// Converts frames from one libav pixel format to another without resizing, keeping the
/// colour range (YUV -> YUV) or applying the BT.709 matrix into full range (RGB -> YUV).
final class FrameScaler {
    let width: Int32, height: Int32
    let source: AVPixelFormat, target: AVPixelFormat
    private let context: OpaquePointer

    /// - Parameters:
    ///   - fullRange: for YUV sources, whether the samples are full range; the output keeps it.
    ///     For RGB sources the output is always full range with the BT.709 matrix.
    init?(width: Int, height: Int, from source: AVPixelFormat, to target: AVPixelFormat, fullRange: Bool) {
        self.width = Int32(width)
        self.height = Int32(height)
        self.source = source
        self.target = target
        // Bit-exact, accurate rounding: the same input gives the same frame everywhere.
        let flags = SWS_BICUBIC | SWS_ACCURATE_RND | SWS_BITEXACT | SWS_FULL_CHR_H_INT | SWS_FULL_CHR_H_INP
        guard let ctx = sws_getContext(self.width, self.height, source, self.width, self.height, target,
                                       flags, nil, nil, nil) else { return nil }
        context = ctx
        let rgb = LibAV.isRGB(source)
        let inTable = sws_getCoefficients(SWS_CS_ITU709)
        let outTable = sws_getCoefficients(SWS_CS_ITU709)
        let srcRange: Int32 = (rgb || fullRange) ? 1 : 0
        let dstRange: Int32 = (rgb || fullRange) ? 1 : 0
        // For YUV -> YUV the tables are unused (no matrix change); only the ranges matter.
        _ = sws_setColorspaceDetails(ctx, inTable, srcRange, outTable, dstRange, 0, 1 << 16, 1 << 16)
    }

    deinit { sws_freeContext(context) }

    /// Scales `src` into `dst`, whose buffers must already be allocated in `target` format.
    func convert(_ src: UnsafePointer<AVFrame>, into dst: UnsafeMutablePointer<AVFrame>) -> Bool {
        let s = src.pointee
        let srcData: [UnsafePointer<UInt8>?] = [
            UnsafePointer(s.data.0), UnsafePointer(s.data.1), UnsafePointer(s.data.2), UnsafePointer(s.data.3),
        ]
        let srcStride: [Int32] = [s.linesize.0, s.linesize.1, s.linesize.2, s.linesize.3]
        let d = dst.pointee
        let dstData: [UnsafeMutablePointer<UInt8>?] = [d.data.0, d.data.1, d.data.2, d.data.3]
        let dstStride: [Int32] = [d.linesize.0, d.linesize.1, d.linesize.2, d.linesize.3]
        let rows = sws_scale(context, srcData, srcStride, 0, height, dstData, dstStride)
        return rows == height
    }
}
