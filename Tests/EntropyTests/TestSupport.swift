@testable import Entropy

/// A small seeded generator so failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

/// Draws a symbol with the table's own quantized probabilities.
func draw(_ cumulative: [UInt32], bits: Int, _ rng: inout SplitMix64) -> Int {
    let slot = UInt32(truncatingIfNeeded: rng.next()) & ((1 << UInt32(bits)) - 1)
    var s = 0
    while cumulative[s + 1] <= slot { s += 1 }
    return s
}

/// Linear scan reference for the lookup structures.
func linearSymbol(_ cumulative: [UInt32], _ slot: UInt32) -> Int {
    var s = 0
    while cumulative[s + 1] <= slot { s += 1 }
    return s
}
