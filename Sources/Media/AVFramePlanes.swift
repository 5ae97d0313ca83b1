// Copying between libav's strided AVFrame planes and our tight plane arrays.

import CFFmpeg

enum AVFramePlanes {
    /// Copies the three planes of an 8-bit planar YUV AVFrame into tight arrays.
    static func copyOut(_ frame: UnsafePointer<AVFrame>, width: Int, height: Int,
                        format: PixelFormat) -> (y: [UInt8], u: [UInt8], v: [UInt8]) {
        let f = frame.pointee
        let cw = format.chromaWidth(forLumaWidth: width), ch = format.chromaHeight(forLumaHeight: height)
        let y = copyPlane(f.data.0!, stride: Int(f.linesize.0), width: width, height: height)
        let u = copyPlane(f.data.1!, stride: Int(f.linesize.1), width: cw, height: ch)
        let v = copyPlane(f.data.2!, stride: Int(f.linesize.2), width: cw, height: ch)
        return (y, u, v)
    }

    private static func copyPlane(_ base: UnsafeMutablePointer<UInt8>, stride: Int, width: Int, height: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: width * height) { out, count in
            for r in 0..<height {
                (out.baseAddress! + r * width).update(from: base + r * stride, count: width)
            }
            count = width * height
        }
    }

    /// Copies a frame's tight planes into a writable AVFrame with the same layout.
    static func copyIn(_ frame: VideoFrame, to dst: UnsafeMutablePointer<AVFrame>) {
        let d = dst.pointee
        pastePlane(frame.y, width: frame.width, height: frame.height, into: d.data.0!, stride: Int(d.linesize.0))
        pastePlane(frame.u, width: frame.chromaWidth, height: frame.chromaHeight, into: d.data.1!, stride: Int(d.linesize.1))
        pastePlane(frame.v, width: frame.chromaWidth, height: frame.chromaHeight, into: d.data.2!, stride: Int(d.linesize.2))
    }

    private static func pastePlane(_ plane: [UInt8], width: Int, height: Int,
                                   into base: UnsafeMutablePointer<UInt8>, stride: Int) {
        plane.withUnsafeBufferPointer { src in
            for r in 0..<height {
                (base + r * stride).update(from: src.baseAddress! + r * width, count: width)
            }
        }
    }

    /// Allocates an AVFrame with buffers for `format` at `width` x `height`, or nil.
    static func allocate(width: Int, height: Int, format: AVPixelFormat) -> UnsafeMutablePointer<AVFrame>? {
        var frame = av_frame_alloc()
        guard let f = frame else { return nil }
        f.pointee.width = Int32(width)
        f.pointee.height = Int32(height)
        f.pointee.format = format.rawValue
        if av_frame_get_buffer(f, 0) < 0 {
            av_frame_free(&frame)
            return nil
        }
        return f
    }
}
