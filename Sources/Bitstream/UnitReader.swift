import Checksum

/// One unit as read from the file, its CRC already checked.
struct RawUnit {
    var type: UInt8
    var payload: [UInt8]
    /// Offset of the unit's first byte, and of its payload's first byte.
    var start: Int
    var payloadStart: Int
    /// On-disk size: type, length, payload and CRC.
    var size: Int
}

/// Reads the unit framing of spec §2.2 (validation steps 5–8 of spec §7).
struct UnitReader {
    let input: ByteInput
    let fileName: String

    /// The next unit, or nil when the input ends exactly where a unit would start.
    func next(number: Int) throws -> RawUnit? {
        let start = input.offset
        let context = ErrorContext(file: fileName, unit: number, frame: nil)
        guard let type = try input.readByte() else { return nil }

        // unit_length: up to 4 varint bytes, canonical, bounded.
        var lengthBytes: [UInt8] = []
        var length = 0
        decoding: while true {
            guard let b = try input.readByte() else {
                throw context.error(at: input.offset, .truncated(what: "inside the length of unit \(number)"))
            }
            lengthBytes.append(b)
            switch decodeVarint(lengthBytes, maxBytes: ContainerFormat.maxUnitLengthBytes) {
            case .incomplete: continue
            case .malformed: throw context.error(at: start + 1, .malformedVarint(field: "unit_length"))
            case .value(let v, _):
                // 4 canonical bytes hold at most 2^28 - 1, so this is the limit check too.
                length = Int(v)
                break decoding
            }
        }
        if length > ContainerFormat.maxPayloadLength {
            throw context.error(at: start + 1, .limitExceeded(field: "unit_length", value: UInt64(length),
                                                              limit: UInt64(ContainerFormat.maxPayloadLength)))
        }
        let payloadStart = input.offset
        if let left = input.knownRemaining, length + 4 > left {
            throw context.error(at: payloadStart, .truncated(
                what: "inside unit \(number): it needs \(length + 4) more bytes, \(left) are left"))
        }
        let payload = try input.read(upTo: length)
        if payload.count < length {
            throw context.error(at: input.offset, .truncated(what: "inside the payload of unit \(number)"))
        }
        let crcBytes = try input.read(upTo: 4)
        if crcBytes.count < 4 {
            throw context.error(at: input.offset, .truncated(what: "inside the CRC of unit \(number)"))
        }
        let stored = readU32(crcBytes[...])
        var crc = CRC32C.update(0, [type])
        crc = CRC32C.update(crc, lengthBytes)
        crc = CRC32C.update(crc, payload)
        if crc != stored {
            throw context.error(at: start, .crcMismatch(stored: stored, computed: crc))
        }
        return RawUnit(type: type, payload: payload, start: start, payloadStart: payloadStart,
                       size: input.offset - start)
    }
}
