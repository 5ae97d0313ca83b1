/// Constants of the `.dcv` container (spec/container.md): magic, version, unit types and limits.
public enum ContainerFormat {
    /// The 8-byte magic at offset 0 (spec §2.1).
    public static let magic: [UInt8] = [0x89, 0x44, 0x43, 0x56, 0x0D, 0x0A, 0x1A, 0x0A]
    /// The major version this code reads and writes; a file with a greater major is refused.
    public static let versionMajor: UInt16 = 1
    /// The minor version this code writes.
    public static let versionMinor: UInt16 = 0
    /// Size of the frozen file header: magic, major, minor, CRC.
    public static let fileHeaderSize = 16

    /// Largest payload of one unit: 2^28 - 1, so its length fits 4 varint bytes.
    public static let maxPayloadLength = (1 << 28) - 1
    /// Most bytes a `unit_length` varint may take.
    static let maxUnitLengthBytes = 4
    /// Width and height limits, luma samples.
    public static let dimensionRange: ClosedRange<Int> = 1...8192
    /// Largest frame count, frame-rate term, and intra period.
    public static let maxCount = Int(Int32.max)
    /// Most coding tools, weight files and substream names in a sequence header.
    public static let maxTools = 64
    public static let maxWeights = 64
    public static let maxSubstreamNames = 64
    /// Name length limits, bytes.
    public static let maxToolKeyLength = 32
    public static let maxToolStringLength = 255
    public static let maxWeightNameLength = 128
    public static let maxSubstreamNameLength = 32
    /// Output bit depths a header may declare.
    public static let bitDepthRange: ClosedRange<Int> = 8...16
    /// Bytes a pipe reader adds to a payload buffer at a time, so a lying length cannot make it
    /// allocate more than it has actually received plus one chunk.
    static let readChunk = 1 << 20
}

/// The kind of a unit, from its first byte (spec §2.2).
enum UnitType {
    case sequenceHeader, frame, endMarker
    /// 0x80...0xFF: checked and skipped.
    case ancillary(UInt8)
    /// 0x00 and 0x04...0x7F.
    case reserved(UInt8)

    init(_ byte: UInt8) {
        switch byte {
        case 0x01: self = .sequenceHeader
        case 0x02: self = .frame
        case 0x03: self = .endMarker
        case 0x80...0xFF: self = .ancillary(byte)
        default: self = .reserved(byte)
        }
    }

    static let sequenceHeaderByte: UInt8 = 0x01
    static let frameByte: UInt8 = 0x02
    static let endMarkerByte: UInt8 = 0x03
}
