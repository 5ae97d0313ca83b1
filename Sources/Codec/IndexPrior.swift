import Bitstream

/// A learned model of RVQ indices whose logits feed the entropy coder (spec/intra.md).
///
/// A prior codes one level of one frame at a time, with every lower level of that frame already
/// known. It decides the coding order (raster, checkerboard, ...) and, for each index in that
/// order, hands the coder the logits over the codebook. Logits are computed with the
/// deterministic kernels only, so the encoder and every decoder see bit-identical values.
public protocol IndexPrior: AnyObject {
    /// The `index_prior` value written into the sequence header.
    var name: String { get }
    /// The weight file the decoder needs, by name and SHA-256.
    var weightRef: WeightRef { get }
    /// Codes per level (must equal the tokenizer's).
    var codebookSize: Int { get }
    /// Levels the prior models.
    var levels: Int { get }
    /// Whether the prior can also condition on the previous I-frame's plane of the level being
    /// coded (index mode 3, spec/intra.md §3, §3.1).
    var temporal: Bool { get }
    /// Visits level `level` of a `width x height` grid in coding order. For each index it calls
    /// `code(position, logits)` (position = y·width + x, `logits.count == codebookSize`), which
    /// returns the index at that position: the encoder codes the known value and returns it, the
    /// decoder returns the value it decoded. `lower` holds the planes of levels `0..<level`;
    /// `previous`, only for a `temporal` prior, the previous I-frame's plane of `level`.
    /// Returns the level's plane.
    func code(level: Int, width: Int, height: Int, lower: [[Int32]], previous: [Int32]?, threads: Int,
              _ code: (_ position: Int, _ logits: UnsafeBufferPointer<Float>) throws -> Int32) throws -> [Int32]
}

extension IndexPrior {
    /// Codes a level without the previous I-frame (index mode 2).
    public func code(level: Int, width: Int, height: Int, lower: [[Int32]], threads: Int,
                     _ code: (_ position: Int, _ logits: UnsafeBufferPointer<Float>) throws -> Int32) throws -> [Int32] {
        try self.code(level: level, width: width, height: height, lower: lower, previous: nil, threads: threads, code)
    }
}
