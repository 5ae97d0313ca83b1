import Bitstream
import Media

/// Decodes a `.dcv` stream frame by frame: the one place a decoder checks the sequence header,
/// resolves models and priors (`ModelRegistry`, weights by SHA-256 from a `WeightStore`) and
/// dispatches each frame unit on its type.
///
/// ```swift
/// let decoder = try StreamDecoder(reader: ContainerReader(path: "clip.dcv"),
///                                 store: .standard(), options: .init(threads: 4))
/// let y4m = try Y4MWriter(path: "rec.y4m", header: decoder.output)
/// while let frame = try decoder.nextFrame() { try y4m.write(frame) }
/// ```
public final class StreamDecoder {
    /// How the decoder runs and what it refuses.
    public struct Options: Sendable {
        /// The default frame-size limit: 8192 x 4352 luma samples (35.6 Mpixel; 8K UHD fits).
        public static let defaultMaxPixels = 8192 * 4352
        /// Worker threads; the output does not depend on them.
        public var threads: Int
        /// Streams whose `width x height` is larger are refused before any frame is read.
        public var maxPixels: Int

        public init(threads: Int, maxPixels: Int = Options.defaultMaxPixels) {
            self.threads = threads
            self.maxPixels = maxPixels
        }
    }

    public let reader: ContainerReader
    public var header: SequenceHeader { reader.header }
    /// The header's intra tools, checked.
    public let parameters: StreamParameters
    /// The I-frame model: an RVQ tokenizer (with its index prior) or a hyperprior model.
    public let intraModel: IntraModel
    /// The RVQ tokenizer (nil in a hyperprior stream).
    public var tokenizer: IntraTokenizer? { intra.tokenizer }
    public var prior: IndexPrior? { intra.prior }
    /// The P-frame model, when the header names one.
    public let interModel: InterModel?
    /// The Y4M stream header of the output: size, frame rate, 4:2:0 with centred chroma, range.
    public let output: Y4MHeader
    /// Frames returned so far.
    public private(set) var framesDecoded = 0
    private let intra: IntraStreamDecoder
    private let frames: FrameDecoder

    /// Checks `reader`'s sequence header (spec/intra.md §1.1, in that order, with the P-frame
    /// checks of spec/inter.md §1.1) and loads the models it names from `store`.
    public init(reader: ContainerReader, store: WeightStore, options: Options) throws {
        let file = reader.fileName
        self.reader = reader
        parameters = try StreamParameters.validated(reader.header, file: file, maxPixels: options.maxPixels)
        let model = try ModelRegistry.entry(parameters.model, kind: .intraModel, file: file)
        if model.isHyperprior {
            intraModel = .hyperprior(try ModelRegistry.hyperprior(model, file: try store.load(parameters.modelWeights),
                                                                  threads: options.threads))
        } else {
            let tokenizer = try ModelRegistry.tokenizer(model, file: try store.load(parameters.modelWeights))
            var prior: IndexPrior?
            if let name = parameters.indexPrior, let ref = parameters.priorWeights {
                let entry = try ModelRegistry.entry(name, kind: .indexPrior, file: file)
                prior = try ModelRegistry.prior(entry, file: try store.load(ref), for: tokenizer)
            }
            intraModel = .tokenizer(tokenizer, prior: prior)
        }
        if let p = parameters.inter {
            let entry = try ModelRegistry.entry(p.model, kind: .interModel, file: file)
            interModel = try ModelRegistry.interModel(entry, file: try store.load(p.weights), threads: options.threads)
        } else {
            interModel = nil
        }
        intra = try IntraStreamDecoder(header: reader.header, model: intraModel, file: file, threads: options.threads)
        frames = try FrameDecoder(intra: intra, inter: interModel, file: file)
        let h = reader.header
        output = Y4MHeader(width: h.width, height: h.height, frameRate: h.frameRate, chroma: .c420jpeg,
                           colorRange: h.color.range)
    }

    /// The next decoded frame in display order, or nil after the end marker.
    public func nextFrame() throws -> VideoFrame? {
        guard let unit = try reader.nextFrame() else { return nil }
        let frame = intra.output(try frames.decode(unit), index: unit.index)
        framesDecoded += 1
        return frame
    }
}
