import Bitstream

/// The learned index priors this build can run, by the name a `.dcv` header gives in
/// `index_prior` (spec/intra.md §3).
public enum IndexPriorRegistry {
    /// Loads a prior from a weight file.
    public typealias Loader = (_ file: WeightFile) throws -> IndexPrior

    /// Prior name -> (default weight file name, the I-frame model it was trained for, loader).
    public static let priors: [String: (file: String, model: String, load: Loader)] = [
        "ctx-f8": ("prior-ctx-f8.safetensors", "vqgan-f8", { try ContextIndexPrior(file: $0, name: "ctx-f8") }),
        "ctx-f16": ("prior-ctx-f16.safetensors", "vqgan-f16", { try ContextIndexPrior(file: $0, name: "ctx-f16") }),
        "tf-f8": ("prior-tf-f8.safetensors", "vqgan-f8", { try TransformerIndexPrior(file: $0, name: "tf-f8") }),
    ]

    /// The default prior of an I-frame model (the context prior trained on its indices), if any.
    public static func defaultPrior(forModel model: String) -> String? {
        priors.filter { $0.value.model == model && $0.key.hasPrefix("ctx-") }.keys.sorted().first
    }

    /// The prior `name` for encoding with I-frame model `model`, its weights found in `store`.
    public static func prior(named name: String, model: String, store: WeightStore) throws -> IndexPrior {
        guard let entry = priors[name] else {
            throw CodecError(file: name, "unknown index prior; known: \(priors.keys.sorted().joined(separator: ", "))")
        }
        guard entry.model == model else {
            throw CodecError(file: name, "index prior \(name) was trained for \(entry.model), not \(model)")
        }
        guard let path = store.find(named: entry.file) else {
            throw CodecError(file: entry.file,
                             "weight file for index prior \(name) not found in \(store.directories.joined(separator: ", ")) (train it with dcvc-train prior, see docs/training.md)")
        }
        return try entry.load(try WeightFile(path: path))
    }

    /// The prior a stream's header names (nil when it names none), weights matched by SHA-256.
    public static func prior(for header: SequenceHeader, store: WeightStore, file: String) throws -> IndexPrior? {
        guard let tool = header.tools[IntraStreamSyntax.indexPriorKey] else { return nil }
        guard case .string(let name) = tool else {
            throw CodecError(file: file, "sequence header's \(IntraStreamSyntax.indexPriorKey) is not a string")
        }
        guard let entry = priors[name] else {
            throw CodecError(file: file, "stream needs index prior \(name), which this decoder does not have")
        }
        guard header.weights.count >= 2 else {
            throw CodecError(file: file, "sequence header names no weight file for index prior \(name)")
        }
        let ref = header.weights[1]
        let prior = try entry.load(try store.load(ref))
        guard prior.weightRef == ref else {
            throw CodecError(file: file, "weights \(ref.name) do not match index prior \(name)")
        }
        return prior
    }
}
