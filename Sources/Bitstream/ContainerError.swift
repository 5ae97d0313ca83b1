/// Why a `.dcv` file was refused (or could not be written), with where it happened.
public struct ContainerError: Error, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Reason: Equatable, Sendable {
        /// The input ended while `what` was being read.
        case truncated(what: String)
        /// The input ended at a unit boundary before any end marker.
        case missingEndMarker
        /// The first 8 bytes are not the `.dcv` magic.
        case badMagic
        /// The file's major version is newer than `ContainerFormat.versionMajor`.
        case newerVersion(major: Int, minor: Int)
        /// The file's major version is older than any this code reads (0).
        case unsupportedVersion(major: Int, minor: Int)
        /// A stored CRC-32C differs from the one computed; `unit` of the error is nil for the file header.
        case crcMismatch(stored: UInt32, computed: UInt32)
        /// A varint longer than allowed or not in its shortest form.
        case malformedVarint(field: String)
        /// A count, size or value above its documented limit.
        case limitExceeded(field: String, value: UInt64, limit: UInt64)
        /// A field whose value the spec does not allow.
        case invalidField(field: String, detail: String)
        /// A unit type not allowed here.
        case unexpectedUnitType(UInt8, detail: String)
        /// A frame unit whose index is not the previous one plus 1.
        case frameIndexOutOfOrder(expected: Int, found: Int)
        /// The end marker's count disagrees with the frames read or the header.
        case frameCountMismatch(detail: String)
        /// A unit payload with bytes left after its last field.
        case trailingPayloadBytes(count: Int)
        /// Bytes after the end marker.
        case trailingGarbage
        /// The operating system refused a read or write.
        case io(String)
        /// The writer was used out of order (a frame after `finish()`, ...).
        case misuse(String)
    }

    /// The file name as given (or "<memory>").
    public var file: String
    /// Byte offset in the file where the problem was found, when known.
    public var offset: Int?
    /// 0-based unit number (the sequence header is unit 0), when the problem is inside a unit.
    public var unit: Int?
    /// Frame index, when the problem is inside a frame unit whose index is known.
    public var frame: Int?
    public var reason: Reason

    public init(file: String, offset: Int? = nil, unit: Int? = nil, frame: Int? = nil, reason: Reason) {
        self.file = file
        self.offset = offset
        self.unit = unit
        self.frame = frame
        self.reason = reason
    }

    /// One line: `file: where: reason`.
    public var description: String {
        var place: [String] = []
        if let frame { place.append("frame \(frame)") }
        if let unit { place.append("unit \(unit)") }
        if let offset { place.append("byte \(offset)") }
        let location = place.isEmpty ? "" : " (\(place.joined(separator: ", ")))"
        return "\(file)\(location): \(reasonText)"
    }

    /// The reason in words, without the location.
    public var reasonText: String {
        switch reason {
        case .truncated(let what):
            return "truncated: the file ends \(what)"
        case .missingEndMarker:
            return "truncated: the file ends without an end marker"
        case .badMagic:
            return "not a .dcv file (bad magic)"
        case .newerVersion(let major, let minor):
            return "file version \(major).\(minor) is newer than this decoder (max \(ContainerFormat.versionMajor))"
        case .unsupportedVersion(let major, let minor):
            return "file version \(major).\(minor) is not supported (this decoder reads \(ContainerFormat.versionMajor).x)"
        case .crcMismatch(let stored, let computed):
            let what = unit.map { "unit \($0)" } ?? "the file header"
            return "CRC mismatch in \(what): stored \(hex(stored)), computed \(hex(computed))"
        case .malformedVarint(let field):
            return "malformed varint in \(field)"
        case .limitExceeded(let field, let value, let limit):
            return "\(field) \(value) exceeds the limit \(limit)"
        case .invalidField(let field, let detail):
            return "invalid \(field): \(detail)"
        case .unexpectedUnitType(let type, let detail):
            return "unexpected unit type 0x\(String(type, radix: 16, uppercase: true)): \(detail)"
        case .frameIndexOutOfOrder(let expected, let found):
            return "frame index out of order: expected \(expected), found \(found)"
        case .frameCountMismatch(let detail):
            return "frame count mismatch: \(detail)"
        case .trailingPayloadBytes(let count):
            return "\(count) unexpected byte(s) after the last field of the unit"
        case .trailingGarbage:
            return "trailing garbage after the end marker"
        case .io(let detail):
            return detail
        case .misuse(let detail):
            return detail
        }
    }

    private func hex(_ v: UInt32) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return "0x" + String(repeating: "0", count: 8 - s.count) + s
    }
}

/// Where a problem is, for building `ContainerError`s while parsing one unit.
struct ErrorContext {
    init(file: String, unit: Int? = nil, frame: Int? = nil) {
        self.file = file
        self.unit = unit
        self.frame = frame
    }

    var file: String
    var unit: Int?
    var frame: Int?

    func error(at offset: Int?, _ reason: ContainerError.Reason) -> ContainerError {
        ContainerError(file: file, offset: offset, unit: unit, frame: frame, reason: reason)
    }
}
