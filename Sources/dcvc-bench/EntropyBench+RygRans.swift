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
        let input = FileManager.default.temporaryDirectory
            .appendingPathComponent("dcvc-ryg-rans-\(getpid())-\(symbols.count).bin")
        try data.write(to: input)
        defer { try? FileManager.default.removeItem(at: input) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [input.path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let reply = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let json = try JSONSerialization.jsonObject(with: reply) as? [String: Any],
              let enc = (json["encode_msym_s"] as? NSNumber)?.doubleValue,
              let dec = (json["decode_msym_s"] as? NSNumber)?.doubleValue,
              let decOurs = (json["decode_ours_msym_s"] as? NSNumber)?.doubleValue,
              let bytes = (json["bytes"] as? NSNumber)?.intValue,
              let identical = (json["stream_identical"] as? NSNumber)?.boolValue
        else {
            throw PeerError.failed(binary, Int(process.terminationStatus), String(decoding: reply, as: UTF8.self))
        }
        return Result(encodeMsym: enc, decodeMsym: dec, decodeOursMsym: decOurs, bytes: bytes, streamIdentical: identical)
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
