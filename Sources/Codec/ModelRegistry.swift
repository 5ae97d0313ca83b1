import Bitstream
import Checksum

/// What a registry entry is: the sequence-header key that names it.
public enum ModelKind: String, Sendable, CaseIterable {
    /// An I-frame tokenizer (`intra_model`).
    case intraModel = "intra_model"
    /// A learned index prior for an I-frame model's indices (`index_prior`).
    case indexPrior = "index_prior"
    /// A P-frame model (`inter_model`).
    case interModel = "inter_model"

    /// In words, for messages.
    public var words: String {
        switch self {
        case .intraModel: return "I-frame model"
        case .indexPrior: return "index prior"
        case .interModel: return "P-frame model"
        }
    }
}

/// One model this build can run: its stream name, its kind, the weight file an encoder uses by
/// default, and what the weight file's `__metadata__` must say for the name to fit it.
public struct ModelEntry: Sendable {
    /// How the entry's weights are loaded.
    public enum Loader: Sendable {
        case intra(@Sendable (WeightFile) throws -> IntraTokenizer)
        case prior(@Sendable (WeightFile) throws -> IndexPrior)
        case inter(@Sendable (WeightFile, _ threads: Int) throws -> InterModel)
        /// An I-frame model that codes latents with a hyperprior instead of RVQ indices.
        case hyperprior(@Sendable (WeightFile, _ threads: Int) throws -> HyperpriorIntraModel)
    }

    public let name: String
    public let loader: Loader
    /// The weight file an encoder picks by default (a decoder finds files by SHA-256 only).
    public let fileName: String
    /// The value the weight file's `__metadata__` must hold under `formatKey`.
    public let format: String
    /// The `__metadata__` key of `format`: `format`, or `model` for inter weights (what
    /// `dcvc-train inter --export` writes).
    public var formatKey = "format"
    /// Intra models: the downsampling factor the weight file's configuration must give.
    public let downsampling: Int?
    /// Index priors: the intra model whose indices the prior was trained on.
    public let intraModel: String?
    /// How to make the weight file when it is missing (for the encoder's message), if not by the
    /// usual `dcvc-train` run of docs/training.md.
    public var howToMake: String? = nil

    public var kind: ModelKind {
        switch loader {
        case .intra, .hyperprior: return .intraModel
        case .prior: return .indexPrior
        case .inter: return .interModel
        }
    }

    /// Whether this is an I-frame model of the hyperprior family (spec/hyperprior.md).
    public var isHyperprior: Bool {
        if case .hyperprior = loader { return true }
        return false
    }
}

/// Every model this build can run, intra models and index priors alike, by the name a `.dcv`
/// header gives (`intra_model`, `index_prior`; spec/intra.md §1). Encoder and decoder resolve
/// names here and nowhere else, and both check each name against its weight file
/// (`check(_:file:)`), so a name paired with another model's digest is refused.
public enum ModelRegistry {
    public static let entries: [ModelEntry] = [
        rvqTokenizer("vqgan-f8", downsampling: 8),
        rvqTokenizer("vqgan-f16", downsampling: 16),
        // The perceptual fine-tunes of vqgan-f8 and vqgan-f16 (LPIPS + patch GAN, docs/training.md):
        // the same architectures and syntax, other weights, and priors of their own.
        rvqTokenizer("vqgan-f8-perceptual", downsampling: 8),
        rvqTokenizer("vqgan-f16-perceptual", downsampling: 16),
        // vqgan-f8 fine-tuned on MSE alone (the fidelity model for PSNR, docs/training.md).
        rvqTokenizer("vqgan-f8-mse", downsampling: 8),
        // vqgan-f8-mse with a second residual block per stage (40 kMAC/pixel to decode), trained on.
        rvqTokenizer("vqgan-f8-mse-deep", downsampling: 8),
        // vqgan-f8-mse-deep trained on with the YUV 6:1:1-weighted MSE (same architecture).
        rvqTokenizer("vqgan-f8-yuv", downsampling: 8),
        // vqgan-f8-yuv trained on with the RGB MSE again (same architecture).
        rvqTokenizer("vqgan-f8-rgb", downsampling: 8),
        // vqgan-f8-rgb trained on with the mean of the RGB and the 6:1:1 MSE (same architecture).
        rvqTokenizer("vqgan-f8-mix", downsampling: 8),
        // vqgan-f8-mix's 6000 steps again with the level-0 codebook usage term (same architecture).
        rvqTokenizer("vqgan-f8-mix-usage", downsampling: 8),
        contextPrior("ctx-f8", for: "vqgan-f8"),
        contextPrior("ctx-f16", for: "vqgan-f16"),
        contextPrior("ctx-f8-perceptual", for: "vqgan-f8-perceptual"),
        contextPrior("ctx-f16-perceptual", for: "vqgan-f16-perceptual"),
        contextPrior("ctx-f8-mse", for: "vqgan-f8-mse"),
        contextPrior("ctx-f8-mse-deep", for: "vqgan-f8-mse-deep"),
        contextPrior("ctx-f8-yuv", for: "vqgan-f8-yuv"),
        contextPrior("ctx-f8-rgb", for: "vqgan-f8-rgb"),
        contextPrior("ctx-f8-mix", for: "vqgan-f8-mix"),
        contextPrior("ctx-f8-mix-usage", for: "vqgan-f8-mix-usage"),
        // Context priors with temporal context (index mode 3: the previous I-frame's indices too).
        contextPrior("ctx-f8-temporal", for: "vqgan-f8"),
        contextPrior("ctx-f8-perceptual-temporal", for: "vqgan-f8-perceptual"),
        contextPrior("ctx-f16-perceptual-temporal", for: "vqgan-f16-perceptual"),
        contextPrior("ctx-f8-yuv-temporal", for: "vqgan-f8-yuv"),
        contextPrior("ctx-f8-mix-temporal", for: "vqgan-f8-mix"),
        contextPrior("ctx-f8-mix-usage-temporal", for: "vqgan-f8-mix-usage"),
        ModelEntry(name: "inter-dcvc", loader: .inter { try LearnedInterModel(file: $0, name: "inter-dcvc", mode: .conditional, threads: $1) },
                   fileName: "inter-dcvc.safetensors", format: "inter-dcvc", formatKey: "model", downsampling: nil,
                   intraModel: nil),
        ModelEntry(name: "inter-dvc", loader: .inter { try LearnedInterModel(file: $0, name: "inter-dvc", mode: .residual, threads: $1) },
                   fileName: "inter-dvc.safetensors", format: "inter-dvc", formatKey: "model", downsampling: nil,
                   intraModel: nil,
                   howToMake: "make it with `dcvc-train inter --mode residual --stage N --export weights/inter-dvc.safetensors` after training, see docs/training.md"),
        ModelEntry(name: "tf-f8", loader: .prior { try TransformerIndexPrior(file: $0, name: "tf-f8") },
                   fileName: "prior-tf-f8.safetensors", format: "dcvc-index-transformer-1", downsampling: nil,
                   intraModel: "vqgan-f8"),
        ModelEntry(name: "hyperprior",
                   loader: .hyperprior { try HyperpriorIntraModel(file: $0, name: "hyperprior", threads: $1) },
                   fileName: "intra-hyperprior.safetensors", format: "intra-hyperprior", formatKey: "model",
                   downsampling: nil, intraModel: nil,
                   howToMake: "make it with `dcvc-train hyperprior --export weights/intra-hyperprior.safetensors` after training, see docs/training.md"),
    ]

    /// An RVQ tokenizer `name` (`dcvc-vq-1`) in `weights/<name>.safetensors`.
    private static func rvqTokenizer(_ name: String, downsampling: Int) -> ModelEntry {
        ModelEntry(name: name, loader: .intra { try VQIntraTokenizer(file: $0, name: name) },
                   fileName: name + ".safetensors", format: "dcvc-vq-1", downsampling: downsampling, intraModel: nil)
    }

    /// The context prior `name` (`ctx-…`, in `weights/prior-<name>.safetensors`) of intra model `model`.
    private static func contextPrior(_ name: String, for model: String) -> ModelEntry {
        ModelEntry(name: name, loader: .prior { try ContextIndexPrior(file: $0, name: name) },
                   fileName: "prior-\(name).safetensors", format: "dcvc-context-prior-1", downsampling: nil,
                   intraModel: model)
    }

    /// The entry of kind `kind` called `name`, or an error listing the known names.
    public static func entry(_ name: String, kind: ModelKind, file: String) throws -> ModelEntry {
        guard let e = entries.first(where: { $0.name == name && $0.kind == kind }) else {
            let known = entries.filter { $0.kind == kind }.map(\.name).joined(separator: ", ")
            throw CodecError(file: file, "unknown \(kind.words) \(name): not a model this build has (\(kind.rawValue) known: \(known))")
        }
        return e
    }

    /// Whether `name` is an intra model of the hyperprior family (its I-frames have the syntax of
    /// spec/hyperprior.md rather than RVQ index substreams).
    public static func isHyperprior(_ name: String) -> Bool {
        entries.contains { $0.name == name && $0.isHyperprior }
    }

    /// The default index prior of an intra model (the context prior trained on its indices).
    public static func defaultPrior(forModel model: String) -> ModelEntry? {
        entries.first { $0.kind == .indexPrior && $0.intraModel == model && $0.name.hasPrefix("ctx-") }
    }

    /// Checks that `file` is a weight file of `entry`: its `__metadata__` `format` is the
    /// entry's and, for a prior, its `tokenizer_sha256` is the digest of `tokenizer` (the intra
    /// model weights it was trained on).
    static func check(_ entry: ModelEntry, file: WeightFile, tokenizer: WeightRef? = nil) throws {
        let meta = file.metadata
        guard meta[entry.formatKey] == entry.format else {
            throw CodecError(file: file.ref.name, "weight file (SHA-256 \(SHA256.hex(file.ref.sha256))) has \(entry.formatKey) \(meta[entry.formatKey] ?? "(none)"), not \(entry.format) as \(entry.kind.rawValue) \(entry.name) needs")
        }
        if let tokenizer, meta["tokenizer_sha256"] != SHA256.hex(tokenizer.sha256) {
            throw CodecError(file: file.ref.name, "index prior \(entry.name) was trained on intra weights \(meta["tokenizer_sha256"] ?? "(not stated)"), not the stream's \(SHA256.hex(tokenizer.sha256))")
        }
    }

    /// Loads intra model `entry` from `file`, checking the file fits the name.
    public static func tokenizer(_ entry: ModelEntry, file: WeightFile) throws -> IntraTokenizer {
        guard case .intra(let load) = entry.loader else {
            throw CodecError(file: file.ref.name, "\(entry.name) is not an RVQ intra model")
        }
        try check(entry, file: file)
        let tokenizer = try load(file)
        if let f = entry.downsampling, tokenizer.downsampling != f {
            throw CodecError(file: file.ref.name, "weights have downsampling \(tokenizer.downsampling), intra_model \(entry.name) has \(f)")
        }
        return tokenizer
    }

    /// Loads index prior `entry` from `file` for the intra model `tokenizer`, checking the file
    /// fits the name and was trained on that model's weights.
    public static func prior(_ entry: ModelEntry, file: WeightFile, for tokenizer: IntraTokenizer) throws -> IndexPrior {
        guard case .prior(let load) = entry.loader else {
            throw CodecError(file: file.ref.name, "\(entry.name) is not an index prior")
        }
        guard entry.intraModel == tokenizer.modelName else {
            throw CodecError(file: entry.name, "index prior \(entry.name) was trained for \(entry.intraModel ?? "?"), not \(tokenizer.modelName)")
        }
        try check(entry, file: file, tokenizer: tokenizer.weightRefs.first)
        let prior = try load(file)
        guard prior.codebookSize == tokenizer.codebookSize, prior.levels >= tokenizer.maxLevels else {
            throw CodecError(file: file.ref.name, "index prior \(entry.name) models \(prior.levels) levels of \(prior.codebookSize) codes, not \(tokenizer.maxLevels) of \(tokenizer.codebookSize)")
        }
        return prior
    }

    /// Loads hyperprior intra model `entry` from `file`, checking the file fits the name.
    public static func hyperprior(_ entry: ModelEntry, file: WeightFile, threads: Int) throws -> HyperpriorIntraModel {
        guard case .hyperprior(let load) = entry.loader else {
            throw CodecError(file: file.ref.name, "\(entry.name) is not a hyperprior intra model")
        }
        try check(entry, file: file)
        return try load(file, threads)
    }

    /// Loads inter model `entry` from `file`, checking the file fits the name.
    public static func interModel(_ entry: ModelEntry, file: WeightFile, threads: Int) throws -> InterModel {
        guard case .inter(let load) = entry.loader else {
            throw CodecError(file: file.ref.name, "\(entry.name) is not an inter model")
        }
        try check(entry, file: file)
        return try load(file, threads)
    }
}
