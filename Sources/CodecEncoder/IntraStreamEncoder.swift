import Bitstream
import Codec
import Media
import Tensor

/// What codes a stream's I-frames: the header it needs and one frame unit per frame.
public protocol IntraFrameEncoder: AnyObject {
    /// The sequence header for the stream (frame count left 0: the writer patches it).
    var header: SequenceHeader { get }
    /// The colour interpretation used for the input, written into the header for the output.
    var color: ResolvedColor { get }
    /// Codes one frame (its size must be the stream's) as the next frame unit, or as frame unit
    /// `index` in a stream that interleaves other frame types.
    func encode(_ frame: VideoFrame, index: Int?) throws -> FrameUnit
}

/// Turns frames into `.dcv` frame units with an I-frame tokenizer: RGB, replicate padding to the
/// model's multiple, RVQ indices, one entropy-coded substream per level (spec/intra.md).
public final class IntraStreamEncoder: IntraFrameEncoder {
    public let tokenizer: IntraEncodingTokenizer
    /// The learned index prior, if the stream uses one.
    public let prior: IndexPrior?
    /// Levels sent per frame (1...tokenizer.maxLevels); sets the bitrate.
    public let levels: Int
    public let threads: Int
    /// How the codes are chosen: nil, greedy RVQ; otherwise rate-distortion search.
    public let rdSearch: RDSearch?
    /// The sequence header for the stream (frame count left 0: the writer patches it).
    public let header: SequenceHeader
    /// The colour interpretation used for the input, written into the header for the output.
    public let color: ResolvedColor
    private var nextIndex = 0
    /// The last coded frame's index planes: mode 3's context for a temporal prior.
    private var previousPlanes: IndexPlanes?

    /// Prepares a stream of `width x height` frames whose colour metadata is `color` (with the
    /// source's H.273 `primaries` and `transfer`, carried into the header unchanged); with
    /// `prior`, each level is also coded with the learned prior and the smallest coding is kept.
    /// With `rdSearch` the codes are chosen by that search, its rates from `prior` (or from each
    /// level's code counts without one); the tokenizer must support it.
    public init(tokenizer: IntraEncodingTokenizer, prior: IndexPrior? = nil, levels: Int, width: Int, height: Int,
                frameRate: FrameRate, color: ResolvedColor, primaries: Int = 1, transfer: Int = 1,
                threads: Int, rdSearch: RDSearch? = nil) throws {
        guard (1...tokenizer.maxLevels).contains(levels) else {
            throw CodecError(file: tokenizer.modelName,
                             "--rvq-layers \(levels) is outside 1...\(tokenizer.maxLevels) for this model")
        }
        if let prior, prior.codebookSize != tokenizer.codebookSize || prior.levels < levels {
            throw CodecError(file: prior.weightRef.name,
                             "index prior \(prior.name) models \(prior.levels) levels of \(prior.codebookSize) codes; the stream needs \(levels) of \(tokenizer.codebookSize)")
        }
        if rdSearch != nil, !(tokenizer is RDSearchTokenizer) {
            throw CodecError(file: tokenizer.modelName, "intra model \(tokenizer.modelName) has no rate-distortion search")
        }
        self.tokenizer = tokenizer
        self.rdSearch = rdSearch
        self.prior = prior
        self.levels = levels
        self.threads = threads
        self.color = color
        header = Self.header(width: width, height: height, frameRate: frameRate, color: color, primaries: primaries,
                             transfer: transfer, tools: IntraStreamSyntax.tools(for: tokenizer, levels: levels, prior: prior),
                             weights: tokenizer.weightRefs + (prior.map { [$0.weightRef] } ?? []),
                             substreamNames: IntraStreamSyntax.substreamNames(levels: levels))
    }

    /// An all-intra sequence header with the given intra tools, weights and substream names.
    static func header(width: Int, height: Int, frameRate: FrameRate, color: ResolvedColor, primaries: Int, transfer: Int,
                       tools: [String: ToolValue], weights: [WeightRef], substreamNames: [String]) -> SequenceHeader {
        SequenceHeader(
            width: width, height: height,
            frameRate: frameRate,
            intraPeriod: 1,
            // The output's chroma is centre-sited (spec/colour.md §3), whatever the source's was.
            color: ColorInfo(matrix: color.matrix, range: color.range, primaries: min(max(primaries, 0), 255),
                             transfer: min(max(transfer, 0), 255), chromaLocation: 1),
            tools: tools, weights: weights, substreamNames: substreamNames)
    }

    /// Codes one frame (its size must be the stream's) as the next frame unit, or as frame unit
    /// `index` in a stream that interleaves other frame types.
    public func encode(_ frame: VideoFrame, index: Int? = nil) throws -> FrameUnit {
        if let index { nextIndex = index }
        guard frame.width == header.width, frame.height == header.height else {
            throw CodecError(file: tokenizer.modelName, frame: nextIndex,
                             "frame is \(frame.width)x\(frame.height), the stream is \(header.width)x\(header.height)")
        }
        let rgb = ColorConversion.toRGB(frame, color: color)
        let image = FramePadding.padded(rgb, multiple: tokenizer.downsampling)
        let indices: IndexPlanes
        if let rdSearch, let searchable = tokenizer as? RDSearchTokenizer {
            let (prior, k, threads) = (prior, tokenizer.codebookSize, threads)
            indices = try searchable.encode(image, levels: levels, threads: threads, search: rdSearch) {
                try IndexRateTable.bits($0, prior: prior, codebookSize: k, threads: threads)
            }
        } else {
            indices = try tokenizer.encode(image, levels: levels, threads: threads)
        }
        // The previous I-frame of the stream (same grid and levels, as every frame of it has); the
        // plane coder tries mode 3 with it only when the prior is temporal.
        let substreams = try indices.planes.enumerated().map { level, plane in
            let context = prior.map {
                IndexPlaneCoder.PriorContext(prior: $0, level: level, width: indices.width, height: indices.height,
                                             lower: Array(indices.planes.prefix(level)),
                                             previous: previousPlanes?.planes[level], threads: threads)
            }
            return Substream(name: IntraStreamSyntax.substreamName(level: level),
                             bytes: try IndexPlaneCoder.encode(plane, codebookSize: tokenizer.codebookSize, prior: context))
        }
        previousPlanes = indices
        defer { nextIndex += 1 }
        return FrameUnit(type: .intra, index: nextIndex, substreams: substreams)
    }
}
