import Bitstream
import Codec
import Media
import Tensor

/// The I-frame model of a stream being encoded, with its encoder side.
public enum IntraEncodingModel {
    /// An RVQ tokenizer and the learned index prior its levels may be coded with.
    case tokenizer(IntraEncodingTokenizer, prior: IndexPrior?)
    case hyperprior(HyperpriorIntraEncoder)
}

/// Encodes frames into `.dcv` frame units: resolves the models by name (`ModelRegistry`), builds
/// the sequence header from the source's first frame, and codes each frame as an I-frame
/// (`IntraStreamEncoder` for an RVQ model, `HyperpriorStreamEncoder` for a hyperprior model) or a
/// P-frame (`InterStreamEncoder`) by the intra period. The references
/// come from decoding the units it writes with the decoder's own `FrameDecoder`, so encoder and
/// decoder never drift.
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
        /// RVQ levels sent per I-frame (RVQ models only).
        public var levels: Int
        public var indexPrior: IndexPriorPolicy
        public var threads: Int
        /// Frames from one I-frame to the next: 1 codes every frame as an I-frame (no inter
        /// model is loaded), 0 only the first.
        public var intraPeriod: Int
        /// The P-frames' rate point, lambda in lambda * MSE + bpp; with a hyperprior intra model
        /// also the I-frames'.
        public var lambda: Int
        /// The motion vectors' rate point; nil: `StreamEncoder.defaultMVLambda(lambda:model:)`.
        public var mvLambda: Int?
        /// The inter model's registry name.
        public var interModel: String
        /// Rate-distortion search of the I-frames' codes; nil (the default) is greedy RVQ.
        public var rdSearch: RDSearch?

        public init(model: String = "vqgan-f8", levels: Int = 4, indexPrior: IndexPriorPolicy = .auto, threads: Int,
                    intraPeriod: Int = 1, lambda: Int = StreamEncoder.defaultLambda,
                    mvLambda: Int? = nil, interModel: String = StreamEncoder.defaultInterModel, rdSearch: RDSearch? = nil) {
            self.model = model
            self.levels = levels
            self.indexPrior = indexPrior
            self.threads = threads
            self.intraPeriod = intraPeriod
            self.lambda = lambda
            self.mvLambda = mvLambda
            self.interModel = interModel
            self.rdSearch = rdSearch
        }
    }

    /// `dcvc-enc`'s default intra period and rate point: an I-frame every 32 frames, DCVC
    /// P-frames between them at lambda 1024. Against all-intra at equal rate (docs/results.md),
    /// I + 31 P wins on carphone and loses on bikes and bigbuckbunny; `--intra-period 1` codes all-intra.
    public static let defaultIntraPeriod = 32
    public static let defaultLambda = 1024
    public static let defaultInterModel = "inter-dcvc"

    /// RVQ levels of the I-frames at each rate point when `--rvq-layers` is not given: 6 at
    /// every lambda. Chosen by `eval/inter-iframe-levels.json` (one GOP of carphone and bikes at
    /// 2/3/4/6/8 levels per lambda, `scripts/choose_iframe_levels.py`): 6 levels minimise the GOP's
    /// lambda * MSE + bpp at 512, 1024 and 2048, and are within 0.6 % of 8 levels at 256; a better
    /// I-frame lifts every P-frame after it, and at intra period 32 its bits are spread over the GOP
    /// (docs/results.md).
    public static func defaultLevels(lambda: Int) -> Int { 6 }

    /// The motion vectors' rate point when `--mv-lambda` is not given: for `inter-dcvc`, from
    /// `mvLambdas` where the model has that rate point; otherwise `lambda` itself.
    public static func defaultMVLambda(lambda: Int, model: InterModel) -> Int {
        guard model.modelName == defaultInterModel, let mv = mvLambdas[lambda], model.lambdas.contains(mv) else { return lambda }
        return mv
    }
    /// Per P-frame rate point, the MV rate point that minimised lambda * MSE(YUV 6:1:1) + bpp over
    /// one GOP of the three evaluation clips with the shipped weights (`eval/inter-mv-rate.json`,
    /// `scripts/choose_mv_rate.py`, docs/results.md). Measured for those weights: re-measure after
    /// retraining.
    static let mvLambdas: [Int: Int] = [256: 512, 512: 512, 1024: 512, 2048: 1024]

    /// The I-frame model.
    public let intraModel: IntraEncodingModel
    /// The RVQ tokenizer (nil with a hyperprior model).
    public var tokenizer: IntraEncodingTokenizer? {
        if case .tokenizer(let t, _) = intraModel { return t }
        return nil
    }
    /// The learned index prior (nil without one, and with a hyperprior model).
    public var prior: IndexPrior? {
        if case .tokenizer(_, let p) = intraModel { return p }
        return nil
    }
    /// The P-frame model; nil when every frame is an I-frame.
    public let interModel: InterEncodingModel?
    /// The sequence header for the stream (frame count 0: the writer patches it).
    public let header: SequenceHeader
    /// The colour interpretation of the source (matrix and range, and whether they were guessed).
    public var color: ResolvedColor { intra.color }
    public let intraPeriod: Int
    private let intra: IntraFrameEncoder
    /// The intra model's name, for messages.
    private let modelName: String
    private let inter: InterStreamEncoder?
    /// The decoder's frame path, run on every unit written when the stream has P-frames.
    private let references: FrameDecoder?
    private var nextIndex = 0

    /// Prepares a stream shaped like `first` (size, colour) at `frameRate`, models from `store`.
    public convenience init(first: VideoFrame, frameRate: FrameRate, store: WeightStore, options: Options) throws {
        let entry = try ModelRegistry.entry(options.model, kind: .intraModel, file: options.model)
        let intra: IntraEncodingModel
        if entry.isHyperprior {
            if case .named(let name) = options.indexPrior {
                throw CodecError(file: name, "intra model \(entry.name) codes no RVQ indices: it takes no index prior")
            }
            let file = try Self.weights(of: entry, in: store)
            intra = .hyperprior(try HyperpriorIntraEncoder(model: try ModelRegistry.hyperprior(entry, file: file, threads: options.threads),
                                                           file: file, threads: options.threads))
        } else {
            guard let tokenizer = try ModelRegistry.tokenizer(entry, file: try Self.weights(of: entry, in: store))
                    as? IntraEncodingTokenizer else {
                throw CodecError(file: entry.fileName, "intra model \(entry.name) has no encoder in this build")
            }
            intra = .tokenizer(tokenizer, prior: try Self.prior(options.indexPrior, for: tokenizer, store: store))
        }
        let inter = options.intraPeriod == 1 ? nil : try Self.interModel(options.interModel, store: store, threads: options.threads)
        try self.init(first: first, frameRate: frameRate, intra: intra, inter: inter, options: options)
    }

    /// A stream with an RVQ tokenizer and the given models (`inter` is needed unless
    /// `options.intraPeriod` is 1).
    public convenience init(first: VideoFrame, frameRate: FrameRate, tokenizer: IntraEncodingTokenizer, prior: IndexPrior?,
                            inter model: InterEncodingModel?, options: Options) throws {
        try self.init(first: first, frameRate: frameRate, intra: .tokenizer(tokenizer, prior: prior), inter: model,
                      options: options)
    }

    /// A stream with the given models (`inter` is needed unless `options.intraPeriod` is 1). With
    /// a hyperprior intra model `options.lambda` is also the I-frames' rate point and
    /// `options.levels` is not used.
    public init(first: VideoFrame, frameRate: FrameRate, intra intraModel: IntraEncodingModel,
                inter model: InterEncodingModel?, options: Options) throws {
        let color = ColorConversion.resolvedColor(of: first)
        let decoding: IntraModel
        switch intraModel {
        case .tokenizer(let tokenizer, let prior):
            modelName = tokenizer.modelName
            decoding = .tokenizer(tokenizer, prior: prior)
            intra = try IntraStreamEncoder(tokenizer: tokenizer, prior: prior, levels: options.levels,
                                           width: first.width, height: first.height, frameRate: frameRate, color: color,
                                           primaries: first.color.primaries, transfer: first.color.transfer,
                                           threads: options.threads, rdSearch: options.rdSearch)
        case .hyperprior(let encoder):
            modelName = encoder.modelName
            decoding = .hyperprior(encoder.model)
            if options.rdSearch != nil {
                throw CodecError(file: encoder.modelName, "intra model \(encoder.modelName) has no rate-distortion search")
            }
            intra = try HyperpriorStreamEncoder(model: encoder, ratePoint: options.lambda, width: first.width,
                                                height: first.height, frameRate: frameRate, color: color,
                                                primaries: first.color.primaries, transfer: first.color.transfer)
        }
        guard options.intraPeriod >= 0 else { throw CodecError(file: modelName, "intra period \(options.intraPeriod) is negative") }
        self.intraModel = intraModel
        intraPeriod = options.intraPeriod
        var h = intra.header
        h.intraPeriod = options.intraPeriod
        if options.intraPeriod != 1 {
            guard let model else { throw CodecError(file: options.interModel, "an intra period other than 1 needs an inter model") }
            let mvLambda = options.mvLambda ?? Self.defaultMVLambda(lambda: options.lambda, model: model)
            let encoder = try InterStreamEncoder(model: model, ratePoint: options.lambda, mvRatePoint: mvLambda)
            h.tools.merge(InterStreamSyntax.tools(model: model.modelName, ratePoint: options.lambda, mvRatePoint: mvLambda)) { $1 }
            h.weights.append(model.weightRef)
            h.substreamNames += InterStreamSyntax.substreamNames
            interModel = model
            inter = encoder
            let file = "<encoder>"
            references = try FrameDecoder(intra: try IntraStreamDecoder(header: h, model: decoding, file: file,
                                                                        threads: options.threads),
                                          inter: model, file: file)
        } else {
            interModel = nil
            inter = nil
            references = nil
        }
        header = h
    }

    /// Whether frame `index` is coded as an I-frame.
    public func isIntra(_ index: Int) -> Bool {
        inter == nil || (intraPeriod == 0 ? index == 0 : index % intraPeriod == 0)
    }

    /// The reference the next P-frame is predicted from (the decoder's, bit for bit).
    public var reference: Tensor? { references?.reference }

    /// Codes the next frame.
    public func encode(_ frame: VideoFrame) throws -> FrameUnit {
        let index = nextIndex
        let unit: FrameUnit
        if isIntra(index) {
            unit = try intra.encode(frame, index: index)
        } else {
            guard frame.width == header.width, frame.height == header.height else {
                throw CodecError(file: modelName, frame: index,
                                 "frame is \(frame.width)x\(frame.height), the stream is \(header.width)x\(header.height)")
            }
            let rgb = ColorConversion.toRGB(frame, color: color)
            let image = FramePadding.padded(rgb, multiple: InterStreamSyntax.multiple)
            unit = inter!.encode(image, reference: references!.reference!, index: index)
        }
        // The next reference is what the decoder will make of this unit.
        if let references { _ = try references.decode(unit) }
        nextIndex += 1
        return unit
    }

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
                             "weight file for \(entry.kind.rawValue) \(entry.name) not found in \(store.directories.joined(separator: ", ")) (\(entry.howToMake ?? "train it with dcvc-train, see docs/training.md"))")
        }
        return try WeightFile(path: path)
    }

    /// The inter model called `name` with its encoder side, weights from `store`.
    static func interModel(_ name: String, store: WeightStore, threads: Int) throws -> InterEncodingModel {
        let entry = try ModelRegistry.entry(name, kind: .interModel, file: name)
        let file = try weights(of: entry, in: store)
        switch try ModelRegistry.interModel(entry, file: file, threads: threads) {
        case let model as InterEncodingModel: return model
        case let model as LearnedInterModel: return try LearnedInterEncodingModel(model: model, file: file, threads: threads)
        default: throw CodecError(file: entry.fileName, "inter model \(entry.name) has no encoder in this build")
        }
    }
}
