/// Reads the fields of one unit payload, checking each against the bytes left and its limit.
///
/// Every read that would pass the end of the payload throws "truncated", so no length read from the
/// payload is used before it has been compared with what is actually there.
struct PayloadCursor {
    private let bytes: [UInt8]
    private(set) var position = 0
    /// File offset of `bytes[0]`, for error messages.
    let baseOffset: Int
    var context: ErrorContext
    /// Name of the unit, for "truncated: the file ends inside ...".
    let unitName: String

    init(_ bytes: [UInt8], baseOffset: Int, context: ErrorContext, unitName: String) {
        self.bytes = bytes
        self.baseOffset = baseOffset
        self.context = context
        self.unitName = unitName
    }

    var remaining: Int { bytes.count - position }

    func fail(_ reason: ContainerError.Reason) -> ContainerError {
        context.error(at: baseOffset + position, reason)
    }

    private func tooShort(_ field: String) -> ContainerError {
        fail(.invalidField(field: field, detail: "the \(unitName) payload ends before it"))
    }

    mutating func u8(_ field: String) throws -> UInt8 {
        guard remaining >= 1 else { throw tooShort(field) }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func u32(_ field: String) throws -> UInt32 {
        guard remaining >= 4 else { throw tooShort(field) }
        defer { position += 4 }
        return readU32(bytes[position..<position + 4])
    }

    /// A varint no greater than `max`.
    mutating func varint(_ field: String, max: UInt64) throws -> UInt64 {
        switch decodeVarint(bytes[position...]) {
        case .incomplete: throw tooShort(field)
        case .malformed: throw fail(.malformedVarint(field: field))
        case .value(let v, let size):
            guard v <= max else { throw fail(.limitExceeded(field: field, value: v, limit: max)) }
            position += size
            return v
        }
    }

    /// A varint no greater than `max` (which fits `Int`), as `Int`.
    mutating func count(_ field: String, max: Int) throws -> Int {
        Int(try varint(field, max: UInt64(max)))
    }

    /// A zig-zag signed varint.
    mutating func signedVarint(_ field: String) throws -> Int64 {
        let u = try varint(field, max: .max)
        return Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }

    /// `count` raw bytes; the count is checked against what remains before anything is copied.
    /// `lengthField` names the field that gave the count.
    mutating func bytes(_ lengthField: String, count: Int) throws -> [UInt8] {
        guard count <= remaining else {
            throw fail(.limitExceeded(field: lengthField, value: UInt64(count), limit: UInt64(remaining)))
        }
        defer { position += count }
        return Array(bytes[position..<position + count])
    }

    /// A fixed-size field of `count` bytes.
    mutating func fixed(_ field: String, count: Int) throws -> [UInt8] {
        guard count <= remaining else { throw tooShort(field) }
        defer { position += count }
        return Array(bytes[position..<position + count])
    }

    /// A `name` field: u8 length, 1...maxLength printable ASCII bytes without space.
    mutating func name(_ field: String, maxLength: Int) throws -> String {
        let start = position
        let n = Int(try u8(field + " length"))
        let raw = try bytes(field + " length", count: n)
        if let problem = FieldRules.nameProblem(raw, maxLength: maxLength) {
            throw context.error(at: baseOffset + start, .invalidField(field: field, detail: problem))
        }
        return FieldRules.string(raw)
    }

    /// A `text` field: u8 length, 0...maxLength printable ASCII bytes.
    mutating func text(_ field: String, maxLength: Int) throws -> String {
        let start = position
        let n = Int(try u8(field + " length"))
        let raw = try bytes(field + " length", count: n)
        if let problem = FieldRules.textProblem(raw, maxLength: maxLength) {
            throw context.error(at: baseOffset + start, .invalidField(field: field, detail: problem))
        }
        return FieldRules.string(raw)
    }

    /// Throws unless every payload byte has been read.
    func expectEnd() throws {
        if remaining != 0 { throw fail(.trailingPayloadBytes(count: remaining)) }
    }
}
