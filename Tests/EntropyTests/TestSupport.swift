@testable import Entropy
import ToolTesting


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
