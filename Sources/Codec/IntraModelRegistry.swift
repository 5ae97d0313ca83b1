import Bitstream

/// The I-frame models this build can run, by the name a `.dcv` header gives in `intra_model`.
///
/// Each entry loads a tokenizer from its weight file. The encoder picks a model by name and
/// finds its file in the weight store; the decoder takes the name and the weight digest from the
/// stream's header and refuses a stream whose weights it cannot find.
public enum IntraModelRegistry {
    /// Loads a tokenizer from a weight file.
    public typealias Loader = (_ file: WeightFile) throws -> IntraTokenizer

    /// Model name -> (default weight file name, loader).
    public static let models: [String: (file: String, load: Loader)] = [
        "vqgan-f8": ("vqgan-f8.safetensors", { try VQIntraTokenizer(file: $0, name: "vqgan-f8") }),
        "vqgan-f16": ("vqgan-f16.safetensors", { try VQIntraTokenizer(file: $0, name: "vqgan-f16") }),
    ]

    /// The tokenizer a stream's header asks for, with weights matched by SHA-256.
    public static func tokenizer(for header: SequenceHeader, store: WeightStore, file: String) throws -> IntraTokenizer {
        guard case .string(let name)? = header.tools["intra_model"] else {
            throw CodecError(file: file, "sequence header names no intra_model")
        }
        guard let entry = models[name] else {
            throw CodecError(file: file, "stream needs I-frame model \(name), which this decoder does not have")
        }
        guard let ref = header.weights.first else {
            throw CodecError(file: file, "sequence header names no weight file for \(name)")
        }
        let tokenizer = try entry.load(try store.load(ref))
        guard header.weights.starts(with: tokenizer.weightRefs) else {
            throw CodecError(file: file, "weights \(header.weights.map(\.name)) do not match model \(name)")
        }
        return tokenizer
    }
}
