import Bitstream
import CodecEncoder
import Media
import Tensor
@testable import Codec

/// A stream encoded in memory by a test: its bytes, its units and the encoder's reference after
/// each frame (frames of streams without P-frames leave none).
struct CodedStream {
    var bytes: [UInt8]
    var units: [FrameUnit]
    var references: [Tensor]

    /// Encodes `first`, then `next(i)` for i in 1..<frames, with `encoder` into a `.dcv` in memory.
    static func encode(_ encoder: StreamEncoder, first: VideoFrame, frames: Int, file: String,
                       next: (Int) -> VideoFrame) throws -> CodedStream {
        let sink = MemorySink()
        let writer = try ContainerWriter(sink: sink, header: encoder.header, name: file)
        var units: [FrameUnit] = [], refs: [Tensor] = []
        for i in 0..<frames {
            let unit = try encoder.encode(i == 0 ? first : next(i))
            try writer.write(unit)
            units.append(unit)
            if let r = encoder.reference { refs.append(r) }
        }
        try writer.finish()
        return CodedStream(bytes: sink.bytes, units: units, references: refs)
    }
}

/// Stripes, a gradient and a texture that move with `index`: content the learned test models
/// code with motion.
func stripedTestFrame(width: Int, height: Int, index: Int) -> VideoFrame {
    var rgb = [Float](repeating: 0, count: 3 * width * height)
    for y in 0..<height {
        for x in 0..<width {
            let i = y * width + x
            rgb[i] = 0.5 + 0.4 * Float(((x + 2 * index) / 5 + y / 7) % 2)
            rgb[width * height + i] = Float(y) / Float(height)
            rgb[2 * width * height + i] = Float((x * 7 + y * 3 + index) % 11) / 11
        }
    }
    return ColorConversion.toYUV420(RGBPlanes(width: width, height: height, data: rgb), matrix: .bt709, range: .limited, index: index)
}
