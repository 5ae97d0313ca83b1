import Bitstream

/// The names the intra coding tool uses in the sequence header and frame units (spec/intra.md §1, §3).
public enum IntraStreamSyntax {
    /// Version of the index coding without a learned prior: per level, raster order, a uniform
    /// or an adaptive model.
    public static let indexModel = "uniform-or-adaptive-v1"
    /// Version of the index coding with a learned prior (modes 0, 1 and 2).
    public static let indexModelWithPrior = "learned-prior-v1"
    /// Header key naming the learned prior.
    public static let indexPriorKey = "index_prior"

    /// The substream holding level `level` (0-based).
    public static func substreamName(level: Int) -> String { "rvq.\(level)" }

    public static func substreamNames(levels: Int) -> [String] { (0..<levels).map(substreamName) }

    /// The coding tools written for a stream.
    public static func tools(for t: IntraTokenizer, levels: Int, prior: IndexPrior?) -> [String: ToolValue] {
        var tools: [String: ToolValue] = [
            "intra_model": .string(t.modelName), "rvq_levels": .int(Int64(levels)),
            "codebook_size": .int(Int64(t.codebookSize)), "downsampling": .int(Int64(t.downsampling)),
            "index_model": .string(prior == nil ? indexModel : indexModelWithPrior)]
        if let prior { tools[indexPriorKey] = .string(prior.name) }
        return tools
    }

    /// Reads the intra tools back, checking them against the model that will decode.
    static func levels(in header: SequenceHeader, for t: IntraTokenizer, prior: IndexPrior?, file: String) throws -> Int {
        func int(_ key: String) throws -> Int {
            guard case .int(let v)? = header.tools[key] else {
                throw CodecError(file: file, "sequence header lacks the integer tool \(key)")
            }
            return Int(v)
        }
        guard case .string(let model)? = header.tools["intra_model"], model == t.modelName else {
            throw CodecError(file: file, "stream's intra_model \(header.tools["intra_model"]?.description ?? "(none)") is not \(t.modelName)")
        }
        guard case .string(let im)? = header.tools["index_model"], im == (prior == nil ? indexModel : indexModelWithPrior) else {
            throw CodecError(file: file, "unsupported index_model \(header.tools["index_model"]?.description ?? "(none)")"
                             + (prior == nil ? "" : " with index prior \(prior!.name)"))
        }
        if let prior, prior.codebookSize != t.codebookSize || prior.levels < t.maxLevels {
            throw CodecError(file: file, "index prior \(prior.name) models \(prior.levels) levels of \(prior.codebookSize) codes, not \(t.maxLevels) of \(t.codebookSize)")
        }
        let levels = try int("rvq_levels")
        guard (1...t.maxLevels).contains(levels) else {
            throw CodecError(file: file, "rvq_levels \(levels) outside 1...\(t.maxLevels)")
        }
        guard try int("codebook_size") == t.codebookSize, try int("downsampling") == t.downsampling else {
            throw CodecError(file: file, "codebook_size/downsampling do not match model \(t.modelName)")
        }
        return levels
    }
}
