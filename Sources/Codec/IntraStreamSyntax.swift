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
}
