/// What a `.dcv` file holds, without the payloads: the header and each frame's sizes. `dcvc-info`
/// prints it; rate experiments read real byte counts from it.
public struct ContainerSummary: Equatable, Sendable {
    /// A substream's name and its size in bytes.
    public struct SubstreamSize: Equatable, Sendable {
        public var name: String
        public var bytes: Int
    }

    /// One frame: type, index, on-disk unit size (framing and CRC included) and its substreams.
    public struct Frame: Equatable, Sendable {
        public var index: Int
        public var type: FrameType
        public var bytes: Int
        public var substreams: [SubstreamSize]
    }

    public var file: String
    public var version: ContainerVersion
    public var header: SequenceHeader
    public var frames: [Frame]
    /// Size of the whole file.
    public var fileBytes: Int
    /// File header plus sequence header unit.
    public var headerBytes: Int
    /// End marker unit.
    public var endMarkerBytes: Int

    /// Reads `reader` to its end, validating the whole file; keeps sizes only.
    /// Reads `reader` to its end; `inspect` sees each frame unit first (e.g. a codec's syntax
    /// check) and may throw to refuse the file.
    public init(reading reader: ContainerReader, inspect: ((FrameUnit) throws -> Void)? = nil) throws {
        var frames: [Frame] = []
        while let f = try reader.nextFrame() {
            try inspect?(f)
            frames.append(Frame(index: f.index, type: f.type, bytes: reader.lastFrameUnitSize,
                                substreams: f.substreams.map { SubstreamSize(name: $0.name, bytes: $0.bytes.count) }))
        }
        self.frames = frames
        file = reader.fileName
        version = reader.version
        header = reader.header
        fileBytes = reader.bytesRead
        headerBytes = ContainerFormat.fileHeaderSize + reader.headerUnitSize
        endMarkerBytes = reader.endMarkerUnitSize
    }

    /// Summarises the file at `path`, streaming it.
    public init(path: String) throws {
        try self.init(reading: ContainerReader(path: path))
    }

    /// Real bits per pixel: 8 × file bytes / (width × height × frames); nil for a zero-frame file.
    public var bitsPerPixel: Double? {
        guard !frames.isEmpty else { return nil }
        return 8 * Double(fileBytes) / (Double(header.width) * Double(header.height) * Double(frames.count))
    }

    /// Bytes of each substream summed over all frames, in the header's table order.
    public var substreamTotals: [SubstreamSize] {
        var totals: [String: Int] = [:]
        for f in frames { for s in f.substreams { totals[s.name, default: 0] += s.bytes } }
        return header.substreamNames.map { SubstreamSize(name: $0, bytes: totals[$0] ?? 0) }
    }

    /// For intra streams (a `downsampling` tool, spec/intra.md §2): each `rvq.<l>` substream's
    /// real bits per coded index, 8 × its bytes (mode byte and coder flush included) / (latent
    /// positions per frame × frames that carry it). Empty for other streams.
    public var bitsPerIndex: [(name: String, bits: Double)] {
        guard case .int(let f)? = header.tools["downsampling"], f > 0 else { return [] }
        let positions = Double((header.width + Int(f) - 1) / Int(f) * ((header.height + Int(f) - 1) / Int(f)))
        return header.substreamNames.filter { $0.hasPrefix("rvq.") }.map { name in
            var bytes = 0, carriers = 0
            for fr in frames { for s in fr.substreams where s.name == name { bytes += s.bytes; carriers += 1 } }
            return (name, carriers == 0 ? 0 : 8 * Double(bytes) / (positions * Double(carriers)))
        }
    }

    /// Sum of the frame units' on-disk sizes.
    public var frameBytes: Int { frames.reduce(0) { $0 + $1.bytes } }
}
