import Foundation

/// The C peer of the table-driven cases: ryg_rans's `rans64.h` with the interleaved two-state
/// loops of its `main64.cpp`, compiled by `scripts/build-ryg-rans.sh` beside the project (never
/// committed). Its stream format is ours (spec/entropy-coding.md §2 is rans64 with two
/// interleaved states), so it decodes our stream too and must re-create it byte for byte.
struct RygRansPeer {
    /// What the harness measured, in the same units as our cases.
    struct Result {
        var encodeMsym: Double
        var decodeMsym: Double
        /// Its decoder on our encoder's stream.
        var decodeOursMsym: Double
        var bytes: Int
        var streamIdentical: Bool

        /// The faster of two runs (each rate on its own).
        static func best(_ a: Result, _ b: Result) -> Result {
            Result(encodeMsym: max(a.encodeMsym, b.encodeMsym), decodeMsym: max(a.decodeMsym, b.decodeMsym),
                   decodeOursMsym: max(a.decodeOursMsym, b.decodeOursMsym), bytes: b.bytes,
                   streamIdentical: a.streamIdentical && b.streamIdentical)
        }
    }

    let binary: String

    /// The harness's default place (scripts/build-ryg-rans.sh), if it has been built.
    static var defaultBinary: String? {
        let path = FileManager.default.currentDirectoryPath + "/.build/peer/ryg_rans64_bench"
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    /// Writes the table, symbols and our stream to a temporary file, runs the harness on it and
    /// reads its one JSON line; a failed round trip in the harness is an error.
    func run(cumulative: [UInt32], bits: Int, symbols: [Int], stream: [UInt8], repeats: Int) throws -> Result {
        var data = Data()
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        precondition(stream.count % 4 == 0)
        for v in [0x4247_5952, UInt32(bits), UInt32(cumulative.count - 1), UInt32(symbols.count),
                  UInt32(max(1, repeats)), UInt32(stream.count / 4)] { u32(v) }
        cumulative.forEach(u32)
        data.reserveCapacity(data.count + 2 * symbols.count + stream.count)
        for s in symbols { withUnsafeBytes(of: UInt16(s).littleEndian) { data.append(contentsOf: $0) } }
        data.append(contentsOf: stream)
        let json = try Self.runHarness(binary, input: data)
        guard let enc = (json["encode_msym_s"] as? NSNumber)?.doubleValue,
              let dec = (json["decode_msym_s"] as? NSNumber)?.doubleValue,
              let decOurs = (json["decode_ours_msym_s"] as? NSNumber)?.doubleValue,
              let bytes = (json["bytes"] as? NSNumber)?.intValue,
              let identical = (json["stream_identical"] as? NSNumber)?.boolValue
        else { throw PeerError.failed(binary, 0, "incomplete reply") }
        return Result(encodeMsym: enc, decodeMsym: dec, decodeOursMsym: decOurs, bytes: bytes, streamIdentical: identical)
    }

    /// The categorical-from-logits peer beside the ryg_rans one (`softmax_rans64_bench`, built by
    /// the same script): the §6 softmax in scalar C, the full table and a binary search, over
    /// rans64.h. Decodes our stream from the same logits; returns its decode Msym/s.
    func runSoftmax(rows: [[Float]], which: [Int], symbols: [Int], bits: Int, stream: [UInt8], repeats: Int) throws -> Double {
        let harness = URL(fileURLWithPath: binary).deletingLastPathComponent().appendingPathComponent("softmax_rans64_bench").path
        guard FileManager.default.isExecutableFile(atPath: harness) else {
            throw PeerError.failed(harness, -1, "not built (scripts/build-ryg-rans.sh)")
        }
        var data = Data()
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        precondition(stream.count % 4 == 0)
        for v in [0x4258_4D53, UInt32(bits), UInt32(rows[0].count), UInt32(rows.count), UInt32(symbols.count),
                  UInt32(max(1, repeats)), UInt32(stream.count / 4)] { u32(v) }
        for row in rows { for l in row { u32(l.bitPattern) } }
        for v in which + symbols { withUnsafeBytes(of: UInt16(v).littleEndian) { data.append(contentsOf: $0) } }
        data.append(contentsOf: stream)
        let json = try Self.runHarness(harness, input: data)
        guard let dec = (json["decode_msym_s"] as? NSNumber)?.doubleValue else {
            throw PeerError.failed(harness, 0, "no decode_msym_s")
        }
        return dec
    }

    /// Writes `input` to a temporary file, runs `harness` on it, parses its one JSON line; a
    /// non-zero exit (a failed round trip) is an error.
    static func runHarness(_ harness: String, input data: Data) throws -> [String: Any] {
        let input = FileManager.default.temporaryDirectory
            .appendingPathComponent("dcvc-peer-\(getpid())-\(data.count).bin")
        try data.write(to: input)
        defer { try? FileManager.default.removeItem(at: input) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: harness)
        process.arguments = [input.path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let reply = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let json = try? JSONSerialization.jsonObject(with: reply) as? [String: Any] else {
            throw PeerError.failed(harness, Int(process.terminationStatus), String(decoding: reply, as: UTF8.self))
        }
        return json
    }

    enum PeerError: Error, CustomStringConvertible {
        case failed(String, Int, String)
        var description: String {
            switch self {
            case let .failed(binary, status, reply):
                return "ryg_rans peer \(binary) failed (exit \(status)): \(reply.isEmpty ? "no output" : reply)"
            }
        }
    }
}
