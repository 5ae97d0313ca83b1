/// How a frame is coded.
public enum FrameType: UInt8, Sendable, CustomStringConvertible {
    /// Coded on its own (I-frame).
    case intra = 0
    /// Coded from the previous decoded frame (P-frame).
    case inter = 1

    /// "I" or "P".
    public var description: String { self == .intra ? "I" : "P" }
}

/// One named byte string inside a frame, e.g. the entropy-coded indices of one RVQ level.
public struct Substream: Equatable, Sendable {
    /// A name from the sequence header's `substreamNames`.
    public var name: String
    public var bytes: [UInt8]

    public init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }
}

/// One coded frame (spec/container.md §5).
public struct FrameUnit: Equatable, Sendable {
    public var type: FrameType
    /// Display order, 0, 1, 2, ... with no gaps.
    public var index: Int
    /// The frame's substreams. The writer stores them in the order of the header's name table,
    /// and the reader returns them in that order.
    public var substreams: [Substream]

    public init(type: FrameType, index: Int, substreams: [Substream]) {
        self.type = type
        self.index = index
        self.substreams = substreams
    }

    /// The bytes of the substream called `name`, or nil when the frame has none.
    public func substream(named name: String) -> [UInt8]? {
        substreams.first { $0.name == name }?.bytes
    }
}
