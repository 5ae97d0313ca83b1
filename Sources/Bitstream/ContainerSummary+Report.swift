import Foundation

/// The two renderings `dcvc-info` prints: a human table and JSON.
extension ContainerSummary {
    /// Bit rate in kbit/s from the real file size and the frame rate; nil for a zero-frame file.
    public var kilobitsPerSecond: Double? {
        guard !frames.isEmpty else { return nil }
        let seconds = Double(frames.count) / header.frameRate.framesPerSecond
        return 8 * Double(fileBytes) / seconds / 1000
    }

    /// `{"file", "version", "sequence": {...}, "frames": [{index, type, bytes, substreams: [{name, bytes}]}], "totals": {...}}`.
    public var json: JSONText {
        let h = header
        let tools = h.sortedTools.map { (key, value) -> (String, JSONText) in
            switch value {
            case .int(let v): return (key, v >= Int64(Int.min) && v <= Int64(Int.max) ? .int(Int(v)) : .string(String(v)))
            case .string(let s): return (key, .string(s))
            }
        }
        let sequence: JSONText = .object([
            ("width", .int(h.width)),
            ("height", .int(h.height)),
            ("frame_rate", .object([("num", .int(h.frameRate.numerator)), ("den", .int(h.frameRate.denominator))])),
            ("fps", .double(h.frameRate.framesPerSecond)),
            ("frame_count", .int(h.frameCount)),
            ("intra_period", .int(h.intraPeriod)),
            ("bit_depth", .int(h.bitDepth)),
            ("chroma_format", .string(h.chromaFormat.description)),
            ("chroma_location", .int(h.color.chromaLocation)),
            ("colour_primaries", .int(h.color.primaries)),
            ("transfer_characteristics", .int(h.color.transfer)),
            ("matrix_coefficients", .int(h.color.matrix.h273Code)),
            ("full_range", .bool(h.color.range == .full)),
            ("tools", .object(tools)),
            ("weights", .array(h.weights.map {
                .object([("name", .string($0.name)), ("sha256", .string(Self.hex($0.sha256)))])
            })),
            ("substream_names", .array(h.substreamNames.map { .string($0) })),
        ])
        let frameList: JSONText = .array(frames.map { f in
            .object([
                ("index", .int(f.index)),
                ("type", .string(f.type.description)),
                ("bytes", .int(f.bytes)),
                ("substreams", .array(f.substreams.map { .object([("name", .string($0.name)), ("bytes", .int($0.bytes))]) })),
            ])
        })
        let totals: JSONText = .object([
            ("frames", .int(frames.count)),
            ("bytes", .int(fileBytes)),
            ("header_bytes", .int(headerBytes)),
            ("frame_bytes", .int(frameBytes)),
            ("end_marker_bytes", .int(endMarkerBytes)),
            ("bpp", bitsPerPixel.map { .double($0) } ?? .null),
            ("kbps", kilobitsPerSecond.map { .double($0) } ?? .null),
            ("substreams", .array(substreamTotals.map { .object([("name", .string($0.name)), ("bytes", .int($0.bytes))]) })),
            ("bits_per_index", .object(bitsPerIndex.map { ($0.name, .double($0.bits)) })),
        ])
        return .object([
            ("file", .string(file)),
            ("version", .string(version.description)),
            ("sequence", sequence),
            ("frames", frameList),
            ("totals", totals),
        ])
    }

    /// The human-readable report: header lines, one row per frame, totals.
    public var text: String {
        let h = header
        var lines: [String] = []
        func row(_ label: String, _ value: String) { lines.append(label.padding(toLength: 12, withPad: " ", startingAt: 0) + value) }
        row("file", "\(file) (.dcv \(version))")
        row("picture", "\(h.width)x\(h.height), \(h.chromaFormat) \(h.bitDepth)-bit, "
            + h.color.range.rawValue + " range, chroma location \(h.color.chromaLocation)")
        row("colour", "primaries \(h.color.primaries), transfer \(h.color.transfer), matrix \(h.color.matrix.h273Code) (H.273)")
        row("frame rate", "\(h.frameRate) (\(String(format: "%.3f", h.frameRate.framesPerSecond)) fps)")
        row("frames", "\(frames.count) (header: \(h.frameCount == 0 ? "unknown" : String(h.frameCount))), intra period \(h.intraPeriod)")
        row("tools", h.tools.isEmpty ? "none" : h.sortedTools.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        if h.weights.isEmpty { row("weights", "none") }
        for (i, w) in h.weights.enumerated() { row(i == 0 ? "weights" : "", "\(w.name) sha256:\(Self.hex(w.sha256))") }
        row("substreams", h.substreamNames.isEmpty ? "none" : h.substreamNames.joined(separator: " "))
        lines.append("")
        lines.append(Self.pad("frame", 7) + "  type" + Self.pad("bytes", 10) + "  substreams")
        for f in frames {
            lines.append(Self.pad(String(f.index), 7) + "  " + f.type.description + "   " + Self.pad(String(f.bytes), 10)
                         + "  " + f.substreams.map { "\($0.name):\($0.bytes)" }.joined(separator: " "))
        }
        lines.append("")
        row("total", "\(frames.count) frames, \(fileBytes) bytes (headers \(headerBytes), frames \(frameBytes), end marker \(endMarkerBytes))")
        if !substreamTotals.isEmpty {
            row("by stream", substreamTotals.map { "\($0.name):\($0.bytes)" }.joined(separator: " "))
        }
        if !bitsPerIndex.isEmpty {
            row("bits/index", bitsPerIndex.map { "\($0.name):" + String(format: "%.3f", $0.bits) }.joined(separator: " "))
        }
        if let bpp = bitsPerPixel, let kbps = kilobitsPerSecond {
            row("rate", String(format: "%.4f bpp, %.2f kb/s", bpp, kbps))
        } else {
            row("rate", "n/a (no frames)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
