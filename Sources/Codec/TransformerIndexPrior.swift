import Bitstream
import Foundation
import Models
import Tensor

/// The "VQGAN + Transformer" baseline index prior: a small causal transformer over one level's
/// indices in raster order (`IndexTransformerConfig`), run by `IndexTransformerDecoder` on the
/// deterministic path. Serial over positions, so `threads` does not change (or speed up) anything.
public final class TransformerIndexPrior: IndexPrior {
    public let decoder: IndexTransformerDecoder
    public let name: String
    public let weightRef: WeightRef

    /// Loads a weights file written by `dcvc-train prior-transformer`; streams know the prior as
    /// `name` (default: derived from the architecture, e.g. `tf-d64x2`).
    public convenience init(path: String, name: String? = nil) throws {
        try self.init(file: try WeightFile(path: path), name: name)
    }

    /// Loads `weightFile` (see `init(path:name:)`).
    public convenience init(file weightFile: WeightFile, name: String? = nil) throws {
        let decoder = try IndexTransformerDecoder(file: try SafeTensorsFile.parse(weightFile.bytes, path: weightFile.path),
                                                  path: weightFile.path)
        self.init(decoder: decoder, name: name ?? Self.name(for: decoder.config), weightRef: weightFile.ref)
    }

    /// A prior over `decoder`'s weights, known to streams as `name` and by `weightRef`.
    public init(decoder: IndexTransformerDecoder, name: String, weightRef: WeightRef) {
        self.decoder = decoder
        self.name = name
        self.weightRef = weightRef
    }

    /// `tf-d<width>x<blocks>`, the `index_prior` value in sequence headers.
    public static func name(for c: IndexTransformerConfig) -> String { "tf-d\(c.dModel)x\(c.layers)" }

    public var codebookSize: Int { decoder.config.codebookSize }
    public var levels: Int { decoder.config.levels }
    public var temporal: Bool { false }

    public func code(level: Int, width: Int, height: Int, lower: [[Int32]], previous: [Int32]?, threads: Int,
                     _ code: (_ position: Int, _ logits: UnsafeBufferPointer<Float>) throws -> Int32) throws -> [Int32] {
        precondition(previous == nil, "the transformer prior has no temporal context")
        guard level >= 0, level < levels else { throw CodecError(file: weightRef.name, "level \(level) outside the prior's \(levels)") }
        guard lower.count >= level, lower.prefix(level).allSatisfy({ $0.count == width * height }) else {
            throw CodecError(file: weightRef.name, "lower planes do not match a \(width)x\(height) grid")
        }
        return try decoder.run(level: level, width: width, height: height, lower: Array(lower.prefix(level)), code)
    }
}
