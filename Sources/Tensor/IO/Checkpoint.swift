import Foundation

/// A training checkpoint: weights, Adam moments, step count and RNG state in one `.safetensors`
/// file (moments under `optim.m.<name>` / `optim.v.<name>`, scalars in `__metadata__`). Resuming
/// from it continues the exact sequence of updates and random draws.
public enum Checkpoint {
    static let format = "dcvc-checkpoint-1"

    /// Saves the training state atomically to `path`; `extra` metadata is stored alongside.
    public static func save(to path: String, params: ParameterSet, optimizer: Adam, step: Int, rng: RNG,
                            extra: [String: String] = [:]) throws {
        var file = params.safeTensors()
        for p in params.parameters {
            if let m = optimizer.m[p.name] { file.tensors["optim.m.\(p.name)"] = SafeTensor(m) }
            if let v = optimizer.v[p.name] { file.tensors["optim.v.\(p.name)"] = SafeTensor(v) }
        }
        var meta = extra
        meta["format"] = format
        meta["step"] = String(step)
        meta["optim.step"] = String(optimizer.step)
        meta["rng"] = rng.stateWords.map { String($0, radix: 16) }.joined(separator: ",")
        file.metadata = meta
        try file.write(to: path)
    }

    /// What `load` restores beside the weights and optimizer.
    public struct State {
        public var step: Int
        public var rng: RNG
        public var metadata: [String: String]
    }

    /// Restores weights and optimizer state in place; returns the step and RNG to continue with.
    public static func load(from path: String, params: ParameterSet, optimizer: Adam) throws -> State {
        let file = try SafeTensorsFile.read(from: path)
        func bad(_ r: String) -> SafeTensorsError { .malformed(path: path, reason: r) }
        guard file.metadata["format"] == format else { throw bad("not a \(format) checkpoint") }
        guard let step = file.metadata["step"].flatMap(Int.init), let ostep = file.metadata["optim.step"].flatMap(Int.init)
        else { throw bad("checkpoint lacks its step count") }
        guard let words = file.metadata["rng"]?.split(separator: ",").compactMap({ UInt64($0, radix: 16) }), words.count == 4
        else { throw bad("checkpoint lacks a valid RNG state") }
        var weights = SafeTensorsFile(tensors: file.tensors.filter { !$0.key.hasPrefix("optim.") })
        weights.metadata = [:]
        try params.load(weights, path: path)
        optimizer.m = [:]; optimizer.v = [:]
        for p in params.parameters {
            for (key, slot) in [("optim.m.\(p.name)", 0), ("optim.v.\(p.name)", 1)] {
                guard let t = file.tensors[key] else { continue }
                guard t.dtype == .f32, t.shape == p.shape else {
                    throw SafeTensorsError.shapeMismatch(path: path, name: key, expected: p.shape, found: t.shape)
                }
                if slot == 0 { optimizer.m[p.name] = t.tensor() } else { optimizer.v[p.name] = t.tensor() }
            }
        }
        optimizer.step = ostep
        return State(step: step, rng: RNG(state: words), metadata: file.metadata)
    }
}
