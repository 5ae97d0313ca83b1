import Bitstream
import Foundation
import Models
import Deterministic
import Tensor

/// The context prior of `Models` as the codec's `IndexPrior` (spec/intra.md §3.1): each level is
/// coded in `passes` interleaved passes; every index is predicted from the lower levels at and
/// around its position and from the indices of its own level coded in earlier passes; a temporal
/// prior (§3.1, temporal context), when given one, also from the previous I-frame's plane of the level.
public final class ContextIndexPrior: IndexPrior {
    public let config: ContextPriorConfig
    public let name: String
    public let weightRef: WeightRef
    let network: ContextPriorNetwork
    let weights: [String: Tensor]

    /// Loads `weightFile`; streams know the prior as `name` (e.g. `ctx-f8`).
    public init(file weightFile: WeightFile, name: String) throws {
        let path = weightFile.path
        let file = try SafeTensorsFile.parse(weightFile.bytes, path: path)
        guard let json = file.metadata[ContextPriorConfig.metadataKey] else {
            throw CodecError(file: path, "not a context prior (no \(ContextPriorConfig.metadataKey) in __metadata__)")
        }
        config = try ContextPriorConfig.parse(json: json)
        network = ContextPriorNetwork(config: config)
        let specs = network.weightSpecs()
        try file.validate(specs, path: path, allowExtra: false)
        var w: [String: Tensor] = [:]
        for s in specs { w[s.name] = file.tensors[s.name]!.tensor() }
        weights = w
        self.name = name
        weightRef = weightFile.ref
    }

    /// Loads the weight file at `path`.
    public convenience init(path: String, name: String) throws {
        try self.init(file: try WeightFile(path: path), name: name)
    }

    public var codebookSize: Int { config.codebookSize }
    public var levels: Int { config.levels }
    public var temporal: Bool { config.temporal }

    /// Logits `[1, K, h, w]` for `level` in `pass`, given the lower planes, the level's plane
    /// (read where coded in an earlier pass) and the previous I-frame's plane, if any.
    func logits(level: Int, pass: Int, width: Int, height: Int, lower: [[Int32]], same: [Int32], previous: [Int32]?,
                threads: Int) -> Tensor {
        let ctx = ContextPriorEmbedding.Context(level: level, pass: pass, width: width, height: height,
                                                lower: lower, same: same, previous: previous)
        let h0 = ContextPriorEmbedding.forward([ctx], config: config) { self.weights[$0]! }
        return network.trunk(h0, DeterministicBackend(weights: weights, threads: threads))
    }

    public func code(level: Int, width: Int, height: Int, lower: [[Int32]], previous: [Int32]?, threads: Int,
                     _ code: (_ position: Int, _ logits: UnsafeBufferPointer<Float>) throws -> Int32) throws -> [Int32] {
        precondition(level < config.levels && lower.count == level)
        precondition(previous == nil || (config.temporal && previous!.count == width * height))
        let k = config.codebookSize, hw = width * height
        var plane = [Int32](repeating: 0, count: hw)
        for pass in 0..<config.passCount(level: level) {
            let out = logits(level: level, pass: pass, width: width, height: height, lower: lower, same: plane,
                             previous: previous, threads: threads)
            // Each symbol's K logits gathered into one buffer (a transposed copy of the whole
            // [K, h, w] output would double the peak memory of a large frame).
            var symbol = [Float](repeating: 0, count: k)
            try out.storage.withUnsafeBufferPointer { all in
                for y in 0..<height {
                    for x in 0..<width where config.pass(x: x, y: y, level: level) == pass {
                        let pos = y * width + x
                        for c in 0..<k { symbol[c] = all[c * hw + pos] }
                        plane[pos] = try symbol.withUnsafeBufferPointer { try code(pos, $0) }
                    }
                }
            }
        }
        return plane
    }
}
