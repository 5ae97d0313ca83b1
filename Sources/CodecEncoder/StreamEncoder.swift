import Bitstream
import Codec
import Media

/// Encodes frames into `.dcv` frame units: resolves the model and index prior by name
/// (`ModelRegistry`), builds the sequence header from the source's first frame, and codes each
/// frame (all I-frames for now; the P-frame codec plugs in beside `IntraStreamEncoder`).
public final class StreamEncoder {
    /// Which learned index prior the stream uses.
    public enum IndexPriorPolicy: Equatable, Sendable {
        /// The model's context prior when its weight file is installed, otherwise none.
        case auto
        case none
        case named(String)

        /// `auto`, `none`, or a prior's name (the `--index-prior` spelling).
        public init(_ text: String) {
            switch text {
            case "auto": self = .auto
            case "none": self = .none
            default: self = .named(text)
            }
        }
    }

    public struct Options: Sendable {
        /// The intra model's registry name.
        public var model: String
        /// RVQ levels sent per I-frame.
        public var levels: Int
        public var indexPrior: IndexPriorPolicy
        public var threads: Int

        public init(model: String = "vqgan-f8", levels: Int = 4, indexPrior: IndexPriorPolicy = .auto, threads: Int) {
            self.model = model
            self.levels = levels
            self.indexPrior = indexPrior
            self.threads = threads
        }
    }

    public let tokenizer: IntraEncodingTokenizer
    public let prior: IndexPrior?
    /// The sequence header for the stream (frame count 0: the writer patches it).
    public var header: SequenceHeader { intra.header }
    /// The colour interpretation of the source (matrix and range, and whether they were guessed).
    public var color: ResolvedColor { intra.color }
    private let intra: IntraStreamEncoder

    /// Prepares a stream shaped like `first` (size, colour) at `frameRate`, models from `store`.
    public init(first: VideoFrame, frameRate: FrameRate, store: WeightStore, options: Options) throws {
        let entry = try ModelRegistry.entry(options.model, kind: .intraModel, file: options.model)
        guard let tokenizer = try ModelRegistry.tokenizer(entry, file: try Self.weights(of: entry, in: store))
                as? IntraEncodingTokenizer else {
            throw CodecError(file: entry.fileName, "intra model \(entry.name) has no encoder in this build")
        }
        self.tokenizer = tokenizer
        prior = try Self.prior(options.indexPrior, for: tokenizer, store: store)
        intra = try IntraStreamEncoder(tokenizer: tokenizer, prior: prior, levels: options.levels,
                                       width: first.width, height: first.height, frameRate: frameRate,
                                       color: ColorConversion.resolvedColor(of: first),
                                       primaries: first.color.primaries, transfer: first.color.transfer,
                                       threads: options.threads)
    }

    /// Codes the next frame.
    public func encode(_ frame: VideoFrame) throws -> FrameUnit { try intra.encode(frame) }

    /// The prior `policy` asks for; `auto` falls back to none when the model has no prior or its
    /// weight file is not installed.
    static func prior(_ policy: IndexPriorPolicy, for tokenizer: IntraTokenizer, store: WeightStore) throws -> IndexPrior? {
        let entry: ModelEntry
        switch policy {
        case .none: return nil
        case .auto:
            guard let e = ModelRegistry.defaultPrior(forModel: tokenizer.modelName),
                  store.find(named: e.fileName) != nil else { return nil }
            entry = e
        case .named(let name):
            entry = try ModelRegistry.entry(name, kind: .indexPrior, file: name)
        }
        return try ModelRegistry.prior(entry, file: try weights(of: entry, in: store), for: tokenizer)
    }

    /// The weight file an encoder uses for `entry`: its default file name in the store.
    static func weights(of entry: ModelEntry, in store: WeightStore) throws -> WeightFile {
        guard let path = store.find(named: entry.fileName) else {
            throw CodecError(file: entry.fileName,
                             "weight file for \(entry.kind.rawValue) \(entry.name) not found in \(store.directories.joined(separator: ", ")) (train it with dcvc-train, see docs/training.md)")
        }
        return try WeightFile(path: path)
    }
}
