import Bitstream
import Media
import Tensor

/// Turns `.dcv` I-frame units back into frames: for an RVQ model, entropy-decode each level's
/// indices and run the tokenizer's deterministic decoder; for a hyperprior model, its two
/// substreams and decode path (`HyperpriorFrameDecoder`); then crop, and convert with the integer
/// output rule of spec/colour.md.
public final class IntraStreamDecoder {
    public let header: SequenceHeader
    public let model: IntraModel
    /// RVQ levels sent per frame (0 in a hyperprior stream).
    public let levels: Int
    public let threads: Int
    public let parameters: StreamParameters
    private let file: String
    private let matrix: ColorMatrix
    private let range: ColorRange
    /// The hyperprior frame decoder, in a hyperprior stream.
    private let hyperprior: HyperpriorFrameDecoder?
    /// The last decoded I-frame's index planes: mode 3's context (spec/intra.md §3).
    private var previousPlanes: IndexPlanes?

    /// Checks that `header` is a stream `model` can decode (for a tokenizer, with the prior the
    /// header names, if any).
    public init(header: SequenceHeader, model: IntraModel, file: String, threads: Int) throws {
        self.header = header
        self.model = model
        self.file = file
        self.threads = threads
        parameters = try StreamParameters(header: header, file: file)
        switch model {
        case .tokenizer(let t, let prior):
            try parameters.check(tokenizer: t, prior: prior, file: file)
            hyperprior = nil
        case .hyperprior(let m):
            try parameters.check(hyperprior: m, file: file)
            hyperprior = try HyperpriorFrameDecoder(model: m, ratePoint: parameters.hyperprior!.ratePoint,
                                                    width: header.width, height: header.height, file: file)
        }
        levels = parameters.levels
        // An unspecified matrix falls back to BT.709, as spec/intra.md states.
        matrix = header.color.matrix == .unspecified ? .bt709 : header.color.matrix
        range = header.color.range
    }

    /// An RVQ stream decoder: `tokenizer`, and `prior`, which must be the one the header names.
    public convenience init(header: SequenceHeader, tokenizer: IntraTokenizer, prior: IndexPrior? = nil, file: String,
                            threads: Int) throws {
        try self.init(header: header, model: .tokenizer(tokenizer, prior: prior), file: file, threads: threads)
    }

    /// The RVQ tokenizer (nil in a hyperprior stream).
    public var tokenizer: IntraTokenizer? {
        if case .tokenizer(let t, _) = model { return t }
        return nil
    }

    /// The learned index prior the header names, if any.
    public var prior: IndexPrior? {
        if case .tokenizer(_, let p) = model { return p }
        return nil
    }

    /// The latent grid of the padded frame (RVQ streams).
    public var latentSize: (width: Int, height: Int) {
        let f = parameters.downsampling
        return (FramePadding.roundUp(header.width, to: f) / f, FramePadding.roundUp(header.height, to: f) / f)
    }

    /// Decodes `unit` to indices only; they become the previous I-frame of the next call (units
    /// must come in stream order when the stream's prior is temporal).
    public func indices(of unit: FrameUnit) throws -> IndexPlanes {
        guard let tokenizer else {
            throw CodecError(file: file, frame: unit.index, "a \(model.modelName) I-frame holds no RVQ indices")
        }
        try parameters.check(unit, file: file)
        let (w, h) = latentSize
        var planes: [[Int32]] = []
        for level in 0..<levels {
            let name = IntraStreamSyntax.substreamName(level: level)
            let bytes = unit.substream(named: name)!  // present: checked above
            let context = prior.map {
                IndexPlaneCoder.PriorContext(prior: $0, level: level, width: w, height: h, lower: planes,
                                             previous: previousPlanes?.planes[level], threads: threads)
            }
            do {
                planes.append(try IndexPlaneCoder.decode(bytes, count: w * h, codebookSize: tokenizer.codebookSize,
                                                         prior: context))
            } catch {
                throw CodecError(file: file, frame: unit.index, "substream \(name): \(error)")
            }
        }
        let decoded = IndexPlanes(width: w, height: h, planes: planes)
        previousPlanes = decoded
        return decoded
    }

    /// Decodes one frame unit to RGB planes of the output size (before output conversion).
    public func decodeRGB(_ unit: FrameUnit) throws -> RGBPlanes {
        let image: Tensor
        if let hyperprior {
            try parameters.check(unit, file: file)
            image = try hyperprior.decode(unit)
        } else {
            image = try tokenizer!.decode(try indices(of: unit), threads: threads)
        }
        return FramePadding.cropped(image, width: header.width, height: header.height)
    }

    /// Decodes one frame unit to a YUV 4:2:0 frame.
    public func decode(_ unit: FrameUnit) throws -> VideoFrame { output(try decodeRGB(unit), index: unit.index) }

    /// The output frame of decoded RGB planes (spec/intra.md §5): the header's matrix and range.
    public func output(_ rgb: RGBPlanes, index: Int) -> VideoFrame {
        ColorConversion.toYUV420(rgb, matrix: matrix, range: range, frameRate: header.frameRate, index: index)
    }
}
