/// Removes the encoder-information SEI from an H.264 or HEVC Annex B elementary stream.
///
/// x264 (and x265 unless told `info=0`) write a "user data unregistered" SEI holding their
/// version and full option string. Decoders ignore it, but it costs about 0.6 kB (x264, once) to
/// 2.4 kB (x265, before every IDR picture): on short all-intra clips that is a large share of the
/// anchor's rate. The filtered stream decodes to exactly the same pictures.
enum AnnexBFilter {
    enum Codec { case h264, hevc }

    /// The stream without SEI NAL units whose first message is user data unregistered (type 5).
    static func removingInfoSEI(_ data: [UInt8], codec: Codec) -> [UInt8] {
        let units = nalUnits(data)
        guard !units.isEmpty else { return data }
        var out: [UInt8] = []
        out.reserveCapacity(data.count)
        out += data[0..<units[0].lowerBound]
        for r in units where !isInfoSEI(data, r, codec) { out += data[r] }
        return out
    }

    /// Byte ranges of the NAL units, each from its start code (3 or 4 bytes) to the next one.
    static func nalUnits(_ d: [UInt8]) -> [Range<Int>] {
        var starts: [Int] = []
        var i = 0
        while i + 2 < d.count {
            if d[i] == 0 && d[i + 1] == 0 && d[i + 2] == 1 {
                starts.append(i > 0 && d[i - 1] == 0 ? i - 1 : i)
                i += 3
            } else {
                i += 1
            }
        }
        return starts.indices.map { starts[$0]..<($0 + 1 < starts.count ? starts[$0 + 1] : d.count) }
    }

    /// True for an SEI unit whose first payload type is 5 (user data unregistered).
    private static func isInfoSEI(_ d: [UInt8], _ r: Range<Int>, _ codec: Codec) -> Bool {
        var p = r.lowerBound
        while p < r.upperBound && d[p] == 0 { p += 1 }
        p += 1  // the start code's 0x01
        let headerBytes = codec == .h264 ? 1 : 2
        guard p + headerBytes < r.upperBound else { return false }
        let type = codec == .h264 ? Int(d[p] & 0x1F) : Int(d[p] >> 1) & 0x3F
        guard type == (codec == .h264 ? 6 : 39) else { return false }
        // payload_type: a run of 0xFF bytes (255 each) plus a final byte.
        var q = p + headerBytes, payloadType = 0
        while q < r.upperBound && d[q] == 0xFF { payloadType += 255; q += 1 }
        guard q < r.upperBound else { return false }
        return payloadType + Int(d[q]) == 5
    }
}
