import Foundation
import Models
import Tensor
import TensorTraining

/// A batch for the transformer prior: `count` crops of `height x width` positions, each of one
/// level, with the embedding rows of every position and the indices to predict.
public struct IndexTransformerBatch {
    public var count: Int, height: Int, width: Int
    /// Embedding rows per position (`config.slots` each, -1 unused), crops one after another.
    public var rows: [Int32]
    /// The index at each position (of that crop's level).
    public var targets: [Int]
    /// The level of each crop.
    public var levels: [Int]

    /// Builds the batch from crops: `planes[b][m]` is level `m` of crop `b` (at least levels
    /// `0...levels[b]`), raster order, `height x width`.
    public init(config: IndexTransformerConfig, height: Int, width: Int, levels: [Int], planes: [[[Int32]]]) {
        precondition(levels.count == planes.count)
        count = levels.count; self.height = height; self.width = width; self.levels = levels
        let hw = height * width, slots = config.slots
        rows = [Int32](repeating: -1, count: count * hw * slots)
        targets = [Int](repeating: 0, count: count * hw)
        rows.withUnsafeMutableBufferPointer { r in
            for b in 0..<count {
                let l = levels[b], p = planes[b]
                for y in 0..<height {
                    for x in 0..<width {
                        let i = y * width + x
                        config.rows(level: l, x: x, y: y, width: width, into: r.baseAddress! + (b * hw + i) * slots) { m, j in p[m][j] }
                        targets[b * hw + i] = Int(p[l][i])
                    }
                }
            }
        }
    }
}

/// The transformer index prior's network on the training kernels (autograd). The codec runs the
/// same weights through `IndexTransformerDecoder` (deterministic kernels).
public final class IndexTransformer {
    public let config: IndexTransformerConfig
    public let params: ParameterSet

    /// A freshly initialised network.
    public init(config: IndexTransformerConfig, rng: inout RNG) throws {
        try config.validate()
        self.config = config
        params = ParameterSet()
        for spec in config.parameterShapes {
            let name = spec.name, shape = spec.shape
            let v: Variable
            if name.hasSuffix("ln1.weight") || name.hasSuffix("ln2.weight") || name == "ln_f.weight" {
                v = params.add(name, Tensor(shape: shape, repeating: 1))
            } else if name.hasSuffix(".bias") || name.hasSuffix("attn_bias") {
                v = params.add(name, Tensor(shape: shape, repeating: 0))
            } else if name == "embed" {
                v = params.add(name, shape: shape, .normal(std: 0.1), rng: &rng)
            } else if name.hasSuffix("proj.weight") || name.hasSuffix("fc2.weight") {
                // Residual branches start small (GPT-2 style scaling by depth).
                v = params.add(name, shape: shape, .normal(std: 0.02 / Float(2 * config.layers).squareRoot()), rng: &rng)
            } else {
                v = params.add(name, shape: shape, .normal(std: 0.02 * 4), rng: &rng)
            }
            _ = v
        }
    }

    /// The network holding `weights` (a shipped file's tensors).
    public init(config: IndexTransformerConfig, weights: SafeTensorsFile, path: String = "<memory>") throws {
        try config.validate()
        self.config = config
        params = ParameterSet()
        for spec in config.parameterShapes { _ = params.add(spec.name, Tensor.zeros(spec.shape)) }
        try params.load(weights, path: path, allowExtra: false)
    }

    private func p(_ name: String) -> Variable { params[name]! }

    /// Logits [positions, K] of every position of the batch (teacher forcing).
    public func logits(_ batch: IndexTransformerBatch) -> Variable {
        let c = config
        var x = IndexTransformerOps.embeddingSum(p("embed"), rows: batch.rows, slots: c.slots)
        for b in 0..<c.layers {
            let pre = "blocks.\(b)."
            let h = Ops.layerNorm(x, gamma: p(pre + "ln1.weight"), beta: p(pre + "ln1.bias"))
            let qkv = Ops.linear(h, p(pre + "qkv.weight"), p(pre + "qkv.bias"))
            let a = IndexTransformerOps.localAttention(qkv, bias: p(pre + "attn_bias"), heads: c.heads, offsets: c.offsets,
                                                       count: batch.count, height: batch.height, width: batch.width)
            x = Ops.add(x, Ops.linear(a, p(pre + "proj.weight"), p(pre + "proj.bias")))
            let h2 = Ops.layerNorm(x, gamma: p(pre + "ln2.weight"), beta: p(pre + "ln2.bias"))
            let m = Ops.relu(Ops.linear(h2, p(pre + "fc1.weight"), p(pre + "fc1.bias")))
            x = Ops.add(x, Ops.linear(m, p(pre + "fc2.weight"), p(pre + "fc2.bias")))
        }
        let f = Ops.layerNorm(x, gamma: p("ln_f.weight"), beta: p("ln_f.bias"))
        return Ops.linear(f, p("head.weight"), p("head.bias"))
    }

    /// The shipped weights: every parameter, the configuration as JSON in `__metadata__`.
    public func weightsFile(extra: [String: String] = [:]) -> SafeTensorsFile {
        var meta = extra
        meta[IndexTransformerConfig.metadataKey] = config.json
        meta["format"] = "dcvc-index-transformer-1"
        return params.safeTensors(metadata: meta)
    }

    /// Reads a weights file written by `weightsFile`.
    public static func load(file: SafeTensorsFile, path: String) throws -> IndexTransformer {
        guard let json = file.metadata[IndexTransformerConfig.metadataKey] else {
            throw SafeTensorsError.malformed(path: path, reason: "no \(IndexTransformerConfig.metadataKey) in metadata")
        }
        return try IndexTransformer(config: try IndexTransformerConfig.parse(json: json), weights: file, path: path)
    }
}
