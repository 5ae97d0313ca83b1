import Checksum

/// The frame unit payload (spec §5) and the end marker payload (spec §6).
extension FrameUnit {
    /// Checks this frame against the header's name table and returns its substreams in table order
    /// with their table indices.
    func orderedSubstreams(table: [String: Int], _ context: ErrorContext) throws -> [(index: Int, bytes: [UInt8])] {
        if substreams.count > table.count {
            throw context.error(at: nil, .limitExceeded(field: "substream_count", value: UInt64(substreams.count),
                                                        limit: UInt64(table.count)))
        }
        var out: [(index: Int, bytes: [UInt8])] = []
        for s in substreams {
            guard let i = table[s.name] else {
                throw context.error(at: nil, .invalidField(field: "substream name",
                                                           detail: "\(s.name) is not in the sequence header's table"))
            }
            if out.contains(where: { $0.index == i }) {
                throw context.error(at: nil, .invalidField(field: "substream name", detail: "\(s.name) appears twice"))
            }
            out.append((i, s.bytes))
        }
        return out.sorted { $0.index < $1.index }
    }

    /// Size of the payload `encodePayload` would produce, computed without building it.
    static func payloadSize(index: Int, substreams: [(index: Int, bytes: [UInt8])]) -> Int {
        var size = 1 + varintSize(UInt64(index)) + varintSize(UInt64(substreams.count))
        for s in substreams { size += varintSize(UInt64(s.index)) + varintSize(UInt64(s.bytes.count)) + s.bytes.count }
        return size
    }

    /// The payload of a frame whose substreams were ordered by `orderedSubstreams`.
    static func encodePayload(type: FrameType, index: Int, substreams: [(index: Int, bytes: [UInt8])]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(payloadSize(index: index, substreams: substreams))
        out.append(type.rawValue)
        out.appendVarint(index)
        out.appendVarint(substreams.count)
        for s in substreams {
            out.appendVarint(s.index)
            out.appendVarint(s.bytes.count)
            out.append(contentsOf: s.bytes)
        }
        return out
    }

    /// Parses a frame payload (spec §7 step 10); the caller checks the index order (step 11).
    static func decode(_ c: inout PayloadCursor, names: [String]) throws -> FrameUnit {
        let rawType = try c.u8("frame_type")
        guard let type = FrameType(rawValue: rawType) else {
            throw c.fail(.invalidField(field: "frame_type", detail: "\(rawType) is not 0 (I) or 1 (P)"))
        }
        let index = try c.count("frame_index", max: ContainerFormat.maxCount - 1)
        c.context.frame = index
        let count = try c.count("substream_count", max: names.count)
        var substreams: [Substream] = []
        substreams.reserveCapacity(count)
        var previous = -1
        for _ in 0..<count {
            // The loop runs only when the table is non-empty (count <= names.count).
            let nameIndex = try c.count("substream name_index", max: names.count - 1)
            if nameIndex <= previous {
                throw c.fail(.invalidField(field: "substream name_index",
                                           detail: "\(nameIndex) does not follow \(previous) in table order"))
            }
            previous = nameIndex
            let name = names[nameIndex]
            let lengthField = "length of substream \(name)"
            let length = try c.count(lengthField, max: ContainerFormat.maxPayloadLength)
            substreams.append(Substream(name: name, bytes: try c.bytes(lengthField, count: length)))
        }
        try c.expectEnd()
        return FrameUnit(type: type, index: index, substreams: substreams)
    }
}

/// The end marker's payload: the number of frames.
enum EndMarker {
    static func encodePayload(frameCount: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.appendVarint(frameCount)
        return out
    }

    static func decode(_ c: inout PayloadCursor) throws -> Int {
        let n = try c.count("end marker frame_count", max: ContainerFormat.maxCount)
        try c.expectEnd()
        return n
    }
}

/// A whole unit: type, length varint, payload, CRC-32C (spec §2.2).
func makeUnit(type: UInt8, payload: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(payload.count + 9)
    out.append(type)
    out.appendVarint(payload.count)
    out.append(contentsOf: payload)
    out.appendU32(CRC32C.checksum(out))
    return out
}
