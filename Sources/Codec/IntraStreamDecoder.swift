import Bitstream
import Media
import Tensor

/// Turns `.dcv` frame units back into YUV 4:2:0 frames: entropy-decode each level's indices,
/// run the tokenizer's deterministic decoder, crop, and convert with the integer output rule of
/// spec/colour.md.
public final class IntraStreamDecoder {
    public let header: SequenceHeader
    public let tokenizer: IntraTokenizer
    /// The learned index prior the header names, if any.
    public let prior: IndexPrior?
    public let levels: Int
    public let threads: Int
    public let parameters: StreamParameters
    private let file: String
    private let matrix: ColorMatrix
    private let range: ColorRange

    /// Checks that `header` is an intra stream `tokenizer` (and `prior`, which must be the one
    /// the header names) can decode.
    public init(header: SequenceHeader, tokenizer: IntraTokenizer, prior: IndexPrior? = nil, file: String, threads: Int) throws {
        self.header = header
        self.tokenizer = tokenizer
        self.prior = prior
        self.file = file
        self.threads = threads
        parameters = try StreamParameters(header: header, file: file)
        try parameters.check(tokenizer: tokenizer, prior: prior, file: file)
        levels = parameters.levels
        // An unspecified matrix falls back to BT.709, as spec/intra.md states.
        matrix = header.color.matrix == .unspecified ? .bt709 : header.color.matrix
        range = header.color.range
    }

    /// The latent grid of the padded frame.
    public var latentSize: (width: Int, height: Int) {
        let f = tokenizer.downsampling
        return (FramePadding.roundUp(header.width, to: f) / f, FramePadding.roundUp(header.height, to: f) / f)
    }

    /// Decodes `unit` to indices only (for inspection and tests).
    public func indices(of unit: FrameUnit) throws -> IndexPlanes {
        try parameters.check(unit, file: file)
        let (w, h) = latentSize
        var planes: [[Int32]] = []
        for level in 0..<levels {
            let name = IntraStreamSyntax.substreamName(level: level)
            let bytes = unit.substream(named: name)!  // present: checked above
            let context = prior.map {
                IndexPlaneCoder.PriorContext(prior: $0, level: level, width: w, height: h, lower: planes, threads: threads)
            }
            do {
                planes.append(try IndexPlaneCoder.decode(bytes, count: w * h, codebookSize: tokenizer.codebookSize,
                                                         prior: context))
            } catch {
                throw CodecError(file: file, frame: unit.index, "substream \(name): \(error)")
            }
        }
        return IndexPlanes(width: w, height: h, planes: planes)
    }

    /// Decodes one frame unit to RGB planes of the output size (before output conversion).
    public func decodeRGB(_ unit: FrameUnit) throws -> RGBPlanes {
        let image = try tokenizer.decode(try indices(of: unit), threads: threads)
        return FramePadding.cropped(image, width: header.width, height: header.height)
    }

    /// Decodes one frame unit to a YUV 4:2:0 frame.
    public func decode(_ unit: FrameUnit) throws -> VideoFrame { output(try decodeRGB(unit), index: unit.index) }

    /// The output frame of decoded RGB planes (spec/intra.md §5): the header's matrix and range.
    public func output(_ rgb: RGBPlanes, index: Int) -> VideoFrame {
        ColorConversion.toYUV420(rgb, matrix: matrix, range: range, frameRate: header.frameRate, index: index)
    }
}
