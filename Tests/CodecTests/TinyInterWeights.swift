import Entropy
import Foundation
import Models
import ModelsTraining
import Tensor
import TensorTraining
@testable import Codec

/// Weight files like `dcvc-train inter --export` writes, for a tiny configuration with seeded
/// random weights, so the learned P-frame models run through the codec in tests.
enum TinyInterWeights {
    /// Writes the export of `config` under the name `model` (`inter-dcvc`, `inter-dvc`) to a
    /// temporary directory and returns its path. The gains are perturbed (1 at initialisation) so
    /// that the rate point matters, the analysis scaled up so that its latents round to non-zero
    /// symbols, and every bias given a value; the frame hyper-latents' tables go under `hyperTable`.
    static func write(config: InterConfig, seed: UInt64, model: String, hyperTable: String) -> String {
        let params = ParameterSet()
        var rng = RNG(seed: seed)
        InterNetwork(config: config).registerParameters(in: params, rng: &rng)
        for name in params.names {
            var t = params[name]!.value
            for i in 0..<t.count {
                if name.contains("gain_enc") { t.storage[i] = 6 + 3 * Float(i % 3) }
                else if name.contains("gain") { t.storage[i] = 1 + 0.5 * Float(i % 3) }
                else if name.hasSuffix(".bias") { t.storage[i] = 0.2 * Float((i * 7919) % 13 - 6) / 6 }
                else if name.hasSuffix("hyper_enc.down1.weight") { t.storage[i] *= 12 }
            }
            params[name]!.value = t
        }
        var st = params.safeTensors(metadata: ["model": model, InterDecoder.configKey: config.json])
        func put(_ name: String, _ data: [Int32]) {
            st.tensors[name] = SafeTensor(integers: data.map(Int.init), shape: [data.count], dtype: .i32)
        }
        func hyper(_ n: Int) -> [BoundedTable] {
            (0..<n).map { _ in
                let p = (-6...6).map { Foundation.exp(-Double($0 * $0) / 4) }
                let sum = p.reduce(0, +)
                return BoundedTable(minValue: -6, probabilities: p.map { 0.999 * $0 / sum })
            }
        }
        put(InterTables.latentName, TableSerialization.serialize(ScaleTableSet.build(shape: .gaussian)))
        put(InterTables.mvHyperName, TableSerialization.serialize(hyper(config.mvHyper)))
        put(hyperTable, TableSerialization.serialize(hyper(config.hyper)))
        let dir = NSTemporaryDirectory() + "dcvc-\(model)-\(getpid())"
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/\(model).safetensors"
        try! st.write(to: path)
        return path
    }
}
