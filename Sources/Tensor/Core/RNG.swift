import Foundation

/// A seeded xoshiro256** generator whose whole state is four words, so checkpoints can store it
/// and a resumed run draws exactly the numbers the uninterrupted run would have drawn.
public struct RNG: Sendable, Equatable {
    /// The generator state (checkpointed as-is).
    public var state: (UInt64, UInt64, UInt64, UInt64)

    /// Seeds the state with splitmix64 so nearby seeds give unrelated streams.
    public init(seed: UInt64) {
        var z = seed
        func splitmix() -> UInt64 {
            z &+= 0x9E37_79B9_7F4A_7C15
            var x = z
            x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
            x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
            return x ^ (x >> 31)
        }
        state = (splitmix(), splitmix(), splitmix(), splitmix())
    }

    /// Restores a saved state.
    public init(state words: [UInt64]) {
        precondition(words.count == 4 && words.contains { $0 != 0 }, "RNG state needs four words, not all zero")
        state = (words[0], words[1], words[2], words[3])
    }

    /// The state as four words.
    public var stateWords: [UInt64] { [state.0, state.1, state.2, state.3] }

    public static func == (a: RNG, b: RNG) -> Bool { a.stateWords == b.stateWords }

    @inline(__always) private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = RNG.rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = RNG.rotl(state.3, 45)
        return result
    }

    /// Uniform in [0, 1) with 24 random bits.
    public mutating func uniform() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }

    /// Uniform in [lo, hi).
    public mutating func uniform(_ lo: Float, _ hi: Float) -> Float { lo + (hi - lo) * uniform() }

    /// Standard normal (Box-Muller; one draw uses two uniforms).
    public mutating func normal() -> Float {
        let u1 = (Double(next() >> 11) + 0.5) * (1.0 / 9_007_199_254_740_992.0)
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        return Float((-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2))
    }

    /// Uniform integer in 0..<n (Lemire's multiply-shift with rejection, unbiased).
    public mutating func int(below n: Int) -> Int {
        precondition(n > 0)
        let bound = UInt64(n)
        while true {
            let r = next().multipliedFullWidth(by: bound)
            if r.low >= (0 &- bound) % bound { return Int(r.high) }
        }
    }

    /// A tensor of uniform samples in [lo, hi).
    public mutating func uniformTensor(_ shape: [Int], _ lo: Float = 0, _ hi: Float = 1) -> Tensor {
        var t = Tensor.zeros(shape)
        for i in 0..<t.count { t.storage[i] = uniform(lo, hi) }
        return t
    }

    /// A tensor of normal samples with the given mean and standard deviation.
    public mutating func normalTensor(_ shape: [Int], mean: Float = 0, std: Float = 1) -> Tensor {
        var t = Tensor.zeros(shape)
        for i in 0..<t.count { t.storage[i] = mean + std * normal() }
        return t
    }
}
