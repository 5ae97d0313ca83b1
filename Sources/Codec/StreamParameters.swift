import Bitstream

/// What a stream's sequence header asks of a decoder, read and checked without loading any
/// weights (spec/intra.md §1.1 lists the checks in this order; spec/inter.md §1.1 the P-frame ones
/// inside that list; spec/hyperprior.md §1.1 those of a hyperprior intra model). The decoder and `dcvc-info`
/// both go through `validated(_:file:maxPixels:)`, so a file `dcvc-info` calls valid is one the
/// decoder accepts, as far as the header goes (the weights are checked when they are loaded).
public struct StreamParameters: Equatable, Sendable {
    public var width: Int
    public var height: Int
    /// `intra_model`.
    public var model: String
    /// `rvq_levels`: levels sent per frame (0 in a hyperprior stream, which sends no RVQ indices).
    public var levels: Int
    /// Codes per level (0 in a hyperprior stream).
    public var codebookSize: Int
    /// Pixels per latent position of the RVQ model; in a hyperprior stream the padding multiple (64).
    public var downsampling: Int
    /// The I-frames' rate point when `intra_model` is a hyperprior model (spec/hyperprior.md §1);
    /// nil for RVQ streams.
    public var hyperprior: HyperpriorParameters?
    /// `index_prior`, present exactly when `index_model` is `learned-prior-v1`.
    public var indexPrior: String?
    /// The model's weights (the header's first reference) and the prior's (the second).
    public var modelWeights: WeightRef
    public var priorWeights: WeightRef?
    /// The P-frame tools, when the stream may hold P-frames (`inter_model` present).
    public var inter: InterParameters?

    /// What the header says about P-frames (spec/inter.md §1).
    public struct InterParameters: Equatable, Sendable {
        /// `inter_model`.
        public var model: String
        /// `rate_point`: the lambda the P-frames were coded at.
        public var ratePoint: Int
        /// `mv_rate_point`: the lambda the motion vectors were coded at (`ratePoint` when absent).
        public var mvRatePoint: Int
        /// The inter model's weights (the header's last reference).
        public var weights: WeightRef
    }

    /// What the header says about hyperprior I-frames (spec/hyperprior.md §1).
    public struct HyperpriorParameters: Equatable, Sendable {
        /// `intra_rate_point`: the lambda the I-frames were coded at.
        public var ratePoint: Int
    }

    /// The most RVQ levels a stream may send (spec/intra.md §1).
    public static let maxLevels = 8
    /// Codebook sizes the index coding can carry (a uniform table at 16-bit precision).
    public static let codebookSizes = 2...65536

    /// Reads the intra tools of `header`, refusing values this decoder does not implement.
    public init(header: SequenceHeader, file: String) throws {
        func fail(_ reason: String) -> CodecError { CodecError(file: file, reason) }
        guard header.bitDepth == 8 else {
            throw fail("bit_depth \(header.bitDepth) is not supported: this decoder writes 8-bit output only")
        }
        guard header.chromaFormat == .yuv420 else {
            throw fail("chroma_format \(header.chromaFormat) is not supported: this decoder writes 4:2:0 output only")
        }
        func string(_ key: String) throws -> String? {
            switch header.tools[key] {
            case nil: return nil
            case .string(let s)?: return s
            case .int?: throw fail("sequence header's \(key) is an integer, not a string")
            }
        }
        func int(_ key: String, _ range: ClosedRange<Int>) throws -> Int {
            guard case .int(let v)? = header.tools[key] else {
                throw fail("sequence header lacks the integer tool \(key)")
            }
            guard v >= Int64(range.lowerBound), v <= Int64(range.upperBound) else {
                throw fail("\(key) \(v) is outside \(range.lowerBound)...\(range.upperBound)")
            }
            return Int(v)
        }
        guard let model = try string("intra_model") else { throw fail("sequence header names no intra_model") }
        let levels: Int, codebookSize: Int, downsampling: Int, prior: String?
        var hyperprior: HyperpriorParameters?
        if ModelRegistry.isHyperprior(model) {
            // spec/hyperprior.md §1: a rate point instead of the RVQ tools, which must be absent.
            for key in HyperpriorStreamSyntax.tokenizerKeys where header.tools[key] != nil {
                throw fail("\(key) in a stream whose intra_model \(model) codes no RVQ indices")
            }
            let r = try int(HyperpriorStreamSyntax.ratePointKey, HyperpriorStreamSyntax.ratePoints.min()!...HyperpriorStreamSyntax.ratePoints.max()!)
            guard HyperpriorStreamSyntax.ratePoints.contains(r) else {
                throw fail("\(HyperpriorStreamSyntax.ratePointKey) \(r) is not one of \(HyperpriorStreamSyntax.ratePoints.map(String.init).joined(separator: ", "))")
            }
            hyperprior = HyperpriorParameters(ratePoint: r)
            (levels, codebookSize, downsampling, prior) = (0, 0, HyperpriorStreamSyntax.multiple, nil)
        } else {
            if header.tools[HyperpriorStreamSyntax.ratePointKey] != nil {
                throw fail("\(HyperpriorStreamSyntax.ratePointKey) in a stream whose intra_model \(model) is not a hyperprior model")
            }
            levels = try int("rvq_levels", 1...Self.maxLevels)
            codebookSize = try int("codebook_size", Self.codebookSizes)
            downsampling = try int("downsampling", 1...256)
            let indexModel = try string("index_model")
            prior = try string(IntraStreamSyntax.indexPriorKey)
            switch indexModel {
            case IntraStreamSyntax.indexModel?:
                if prior != nil { throw fail("index_prior \(prior!) needs index_model \(IntraStreamSyntax.indexModelWithPrior)") }
            case IntraStreamSyntax.indexModelWithPrior?:
                if prior == nil { throw fail("index_model \(IntraStreamSyntax.indexModelWithPrior) without an index_prior") }
            default:
                throw fail("unsupported index_model \(indexModel ?? "(none)")")
            }
        }
        let interModel = try string(InterStreamSyntax.modelKey)
        var ratePoints: (frame: Int, mv: Int)?
        if interModel != nil {
            func ratePoint(_ key: String) throws -> Int {
                let r = try int(key, InterStreamSyntax.ratePoints.min()!...InterStreamSyntax.ratePoints.max()!)
                guard InterStreamSyntax.ratePoints.contains(r) else {
                    throw fail("\(key) \(r) is not one of \(InterStreamSyntax.ratePoints.map(String.init).joined(separator: ", "))")
                }
                return r
            }
            let r = try ratePoint(InterStreamSyntax.ratePointKey)
            let mv = header.tools[InterStreamSyntax.mvRatePointKey] == nil ? r : try ratePoint(InterStreamSyntax.mvRatePointKey)
            ratePoints = (r, mv)
        } else {
            for key in [InterStreamSyntax.ratePointKey, InterStreamSyntax.mvRatePointKey] where header.tools[key] != nil {
                throw fail("\(key) without an inter_model")
            }
        }
        let needed = 1 + (prior == nil ? 0 : 1) + (interModel == nil ? 0 : 1)
        guard header.weights.count == needed else {
            throw fail("sequence header names \(header.weights.count) weight file(s); this stream needs \(needed)")
        }
        let intraNames = hyperprior == nil ? IntraStreamSyntax.substreamNames(levels: levels) : HyperpriorStreamSyntax.substreamNames
        let names = intraNames + (interModel == nil ? [] : InterStreamSyntax.substreamNames)
        for name in names where !header.substreamNames.contains(name) {
            throw fail("substream \(name) is not in the header's name table")
        }
        width = header.width
        height = header.height
        self.model = model
        self.levels = levels
        self.codebookSize = codebookSize
        self.downsampling = downsampling
        indexPrior = prior
        self.hyperprior = hyperprior
        modelWeights = header.weights[0]
        priorWeights = prior == nil ? nil : header.weights[1]
        inter = interModel.map {
            InterParameters(model: $0, ratePoint: ratePoints!.frame, mvRatePoint: ratePoints!.mv, weights: header.weights[needed - 1])
        }
    }

    /// The one header check of this decoder, without weights: the frame-size limit, the intra
    /// tools, and the models named, which must be in `ModelRegistry` and fit each other.
    public static func validated(_ header: SequenceHeader, file: String,
                                 maxPixels: Int = StreamDecoder.Options.defaultMaxPixels) throws -> StreamParameters {
        guard header.width * header.height <= maxPixels else {
            throw CodecError(file: file, "frame size \(header.width)x\(header.height) is above the decoder's limit of \(maxPixels) pixels (--max-pixels)")
        }
        let p = try StreamParameters(header: header, file: file)
        let model = try ModelRegistry.entry(p.model, kind: .intraModel, file: file)
        if p.hyperprior == nil, let f = model.downsampling, f != p.downsampling {
            throw CodecError(file: file, "downsampling \(p.downsampling) does not match intra_model \(p.model) (\(f))")
        }
        if let name = p.indexPrior {
            let prior = try ModelRegistry.entry(name, kind: .indexPrior, file: file)
            guard prior.intraModel == p.model else {
                throw CodecError(file: file, "index_prior \(name) was trained for \(prior.intraModel ?? "?"), not \(p.model)")
            }
        }
        if let inter = p.inter {
            _ = try ModelRegistry.entry(inter.model, kind: .interModel, file: file)
        }
        return p
    }

    /// The frame-level syntax this decoder checks before entropy decoding (spec/intra.md §3,
    /// spec/inter.md §1.2, spec/hyperprior.md §1.2), shared with `dcvc-info`: a hyperprior I-frame
    /// needs non-empty `hp.z` and `hp.y`; an RVQ I-frame needs a non-empty `rvq.l` for each
    /// level sent, whose mode byte is 0 or 1, or 2 in a stream with an index prior; a P-frame
    /// needs a stream with an inter model, a preceding frame (the first frame is never P) and a
    /// non-empty substream of each of the four kinds.
    public func check(_ unit: FrameUnit, file: String) throws {
        if unit.type == .inter {
            guard inter != nil else {
                throw CodecError(file: file, frame: unit.index, "P-frame in a stream whose header names no inter_model")
            }
            guard unit.index > 0 else {
                throw CodecError(file: file, frame: unit.index, "P-frame without a preceding I-frame")
            }
            for name in InterStreamSyntax.substreamNames {
                guard let bytes = unit.substream(named: name) else {
                    throw CodecError(file: file, frame: unit.index, "substream \(name) is missing")
                }
                guard !bytes.isEmpty else { throw CodecError(file: file, frame: unit.index, "substream \(name) is empty") }
            }
            return
        }
        if hyperprior != nil {
            for name in HyperpriorStreamSyntax.substreamNames {
                guard let bytes = unit.substream(named: name) else {
                    throw CodecError(file: file, frame: unit.index, "substream \(name) is missing")
                }
                guard !bytes.isEmpty else { throw CodecError(file: file, frame: unit.index, "substream \(name) is empty") }
            }
            return
        }
        for name in IntraStreamSyntax.substreamNames(levels: levels) {
            guard let bytes = unit.substream(named: name) else {
                throw CodecError(file: file, frame: unit.index, "substream \(name) is missing")
            }
            guard let mode = bytes.first else {
                throw CodecError(file: file, frame: unit.index, "substream \(name) is empty")
            }
            switch IndexPlaneCoder.Mode(rawValue: mode) {
            case .uniform?, .adaptive?: break
            case .prior?:
                if indexPrior == nil {
                    throw CodecError(file: file, frame: unit.index, "substream \(name): index mode 2 (learned prior) in a stream that names no index prior")
                }
            case .temporalPrior?:
                // Whether the named prior is temporal is known once its weights are loaded.
                if indexPrior == nil {
                    throw CodecError(file: file, frame: unit.index, "substream \(name): index mode 3 (temporal prior) in a stream that names no index prior")
                }
                if unit.index == 0 {
                    throw CodecError(file: file, frame: unit.index, "substream \(name): index mode 3 (temporal prior) in the stream's first I-frame")
                }
            case nil:
                throw CodecError(file: file, frame: unit.index, "substream \(name): unknown index mode \(mode)")
            }
        }
    }

    /// Checks these parameters against the hyperprior model that will decode them (the rate
    /// point is checked when its frame decoder is made).
    func check(hyperprior m: HyperpriorIntraModel, file: String) throws {
        guard hyperprior != nil else { throw CodecError(file: file, "stream's intra_model \(model) is not a hyperprior model") }
        guard model == m.modelName else { throw CodecError(file: file, "stream's intra_model \(model) is not \(m.modelName)") }
    }

    /// Checks these parameters against the models that will decode them.
    func check(tokenizer t: IntraTokenizer, prior: IndexPrior?, file: String) throws {
        func fail(_ reason: String) -> CodecError { CodecError(file: file, reason) }
        guard hyperprior == nil else { throw fail("stream's intra_model \(model) is a hyperprior model, not \(t.modelName)") }
        guard model == t.modelName else { throw fail("stream's intra_model \(model) is not \(t.modelName)") }
        guard levels <= t.maxLevels else { throw fail("rvq_levels \(levels) outside 1...\(t.maxLevels)") }
        guard codebookSize == t.codebookSize, downsampling == t.downsampling else {
            throw fail("codebook_size/downsampling \(codebookSize)/\(downsampling) do not match model \(t.modelName) (\(t.codebookSize)/\(t.downsampling))")
        }
        switch (indexPrior, prior) {
        case (nil, nil): break
        case (let name?, let prior?):
            guard name == prior.name else { throw fail("stream's index_prior \(name) is not \(prior.name)") }
            guard prior.codebookSize == t.codebookSize, prior.levels >= t.maxLevels else {
                throw fail("index prior \(prior.name) models \(prior.levels) levels of \(prior.codebookSize) codes, not \(t.maxLevels) of \(t.codebookSize)")
            }
        case (let name?, nil): throw fail("index_model \(IntraStreamSyntax.indexModelWithPrior) needs index prior \(name); the decoder has none")
        case (nil, let prior?): throw fail("unsupported index_model \(IntraStreamSyntax.indexModel) with index prior \(prior.name)")
        }
    }
}
