/// Why the entropy decoder, or a table deserialiser, refused its input.
///
/// The decoder never reads past its buffer, never loops without bound and never traps on bad
/// bytes: every failure ends here with a reason a person can read.
public enum EntropyError: Error, Equatable, CustomStringConvertible {
    /// The stream ended while the decoder still needed bytes (`needed` at byte `offset`).
    case truncated(offset: Int, needed: Int)
    /// The bytes cannot have come from the encoder (bad initial state, over-long escape, a value
    /// outside Int32, or a final state that does not match).
    case corrupt(offset: Int, reason: String)
    /// A serialised table or table set is malformed.
    case invalidTable(String)

    public var description: String {
        switch self {
        case let .truncated(offset, needed):
            return "entropy stream truncated: needed \(needed) more byte(s) at byte \(offset)"
        case let .corrupt(offset, reason):
            return "entropy stream corrupt near byte \(offset): \(reason)"
        case let .invalidTable(reason):
            return "invalid entropy table: \(reason)"
        }
    }
}
