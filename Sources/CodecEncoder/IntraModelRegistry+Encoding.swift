import Codec

extension IntraModelRegistry {
    /// The tokenizer for encoding with model `name`, its weights found in `store`.
    public static func tokenizer(named name: String, store: WeightStore) throws -> IntraEncodingTokenizer {
        guard let entry = models[name] else {
            throw CodecError(file: name, "unknown I-frame model; known: \(models.keys.sorted().joined(separator: ", "))")
        }
        guard let path = store.find(named: entry.file) else {
            throw CodecError(file: entry.file,
                             "weight file for model \(name) not found in \(store.directories.joined(separator: ", ")) (train it with dcvc-train, see docs/training.md)")
        }
        guard let tokenizer = try entry.load(try WeightFile(path: path)) as? IntraEncodingTokenizer else {
            throw CodecError(file: entry.file, "model \(name) has no encoder in this build")
        }
        return tokenizer
    }
}
