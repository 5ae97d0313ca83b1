import Tensor
import Foundation

/// A training checkpoint: weights, optimizer moments, step count and RNG state in one
/// `.safetensors` file. Moments are stored as `optim.m.<param>` / `optim.v.<param>` for the
/// unnamed optimizer and `optim.<key>.m.<param>` for named ones (e.g. a generator and a
/// discriminator); scalars live in `__metadata__`. Resuming from it continues the exact sequence
/// of updates and random draws.
public enum Checkpoint {
    static let format = "dcvc-checkpoint-1"

    static func prefix(_ key: String) -> String { key.isEmpty ? "optim." : "optim.\(key)." }

    /// Saves the training state atomically to `path`; `extra` metadata is stored alongside.
    public static func save(to path: String, params: ParameterSet, optimizer: Adam, step: Int, rng: RNG,
                            extra: [String: String] = [:]) throws {
        try save(to: path, params: params, optimizers: ["": optimizer], step: step, rng: rng, extra: extra)
    }

    /// Saves with several optimizers, each under its own key.
    public static func save(to path: String, params: ParameterSet, optimizers: [String: Adam], step: Int, rng: RNG,
                            extra: [String: String] = [:]) throws {
        var file = params.safeTensors()
        var meta = extra
        for (key, opt) in optimizers {
            precondition(!key.contains("."), "optimizer key '\(key)' must not contain '.'")
            let pre = prefix(key)
            for (name, m) in opt.m { file.tensors["\(pre)m.\(name)"] = SafeTensor(m) }
            for (name, v) in opt.v { file.tensors["\(pre)v.\(name)"] = SafeTensor(v) }
            meta["\(pre)step"] = String(opt.step)
        }
        meta["format"] = format
        meta["step"] = String(step)
        meta["rng"] = rng.stateWords.map { String($0, radix: 16) }.joined(separator: ",")
        file.metadata = meta
        try file.write(to: path)
    }

    /// What `load` restores beside the weights and optimizers.
    public struct State {
        public var step: Int
        public var rng: RNG
        public var metadata: [String: String]
    }

    /// Restores weights and optimizer state in place; returns the step and RNG to continue with.
    public static func load(from path: String, params: ParameterSet, optimizer: Adam) throws -> State {
        try load(from: path, params: params, optimizers: ["": optimizer])
    }

    /// Restores weights and several optimizers (by the keys they were saved under).
    public static func load(from path: String, params: ParameterSet, optimizers: [String: Adam]) throws -> State {
        let file = try SafeTensorsFile.read(from: path)
        func bad(_ r: String) -> SafeTensorsError { .malformed(path: path, reason: r) }
        guard file.metadata["format"] == format else { throw bad("not a \(format) checkpoint") }
        guard let step = file.metadata["step"].flatMap(Int.init) else { throw bad("checkpoint lacks its step count") }
        guard let words = file.metadata["rng"]?.split(separator: ",").compactMap({ UInt64($0, radix: 16) }),
              words.count == 4, words.contains(where: { $0 != 0 })
        else { throw bad("checkpoint lacks a valid RNG state") }
        let weights = SafeTensorsFile(tensors: file.tensors.filter { !$0.key.hasPrefix("optim.") })
        try params.load(weights, path: path)
        for (key, opt) in optimizers {
            let pre = prefix(key)
            guard let ostep = file.metadata["\(pre)step"].flatMap(Int.init) else {
                throw bad("checkpoint has no state for optimizer '\(key)'")
            }
            opt.m = [:]; opt.v = [:]
            for (tensorName, t) in file.tensors where tensorName.hasPrefix(pre) {
                let rest = tensorName.dropFirst(pre.count)
                let isM = rest.hasPrefix("m."), isV = rest.hasPrefix("v.")
                guard isM || isV else { continue } // another optimizer's key
                let name = String(rest.dropFirst(2))
                guard let p = params[name] else { throw SafeTensorsError.unexpectedTensor(path: path, name: tensorName) }
                guard t.dtype == .f32 else {
                    throw SafeTensorsError.dtypeMismatch(path: path, name: tensorName, expected: "F32", found: t.dtype.rawValue)
                }
                guard t.shape == p.shape else {
                    throw SafeTensorsError.shapeMismatch(path: path, name: tensorName, expected: p.shape, found: t.shape)
                }
                if isM { opt.m[name] = t.tensor() } else { opt.v[name] = t.tensor() }
            }
            opt.step = ostep
        }
        return State(step: step, rng: RNG(state: words), metadata: file.metadata)
    }
}
