@testable import Bitstream
import Checksum
import ToolTesting


/// Streams used across the container tests.
enum Fixtures {
    static let names = ["rvq.0", "rvq.1", "rvq.2", "rvq.3", "mv", "y", "z"]

    /// A header that uses every field: tools of both kinds, weight refs, a substream table.
    static func header(frameCount: Int = 0) -> SequenceHeader {
        SequenceHeader(
            width: 176, height: 144, frameRate: FrameRate(30000, 1001), frameCount: frameCount, intraPeriod: 32,
            bitDepth: 8, chromaFormat: .yuv420,
            color: ColorInfo(matrix: .bt601, range: .full, primaries: 1, transfer: 1, chromaLocation: 1),
            tools: ["rvq_levels": .int(4), "intra_model": .string("vqgan-f8"), "lambda": .int(-1024),
                    "note": .string(""), "big": .int(Int64.min), "downsampling": .int(8)],
            weights: [WeightRef(name: "vqgan-f8.safetensors", sha256: SHA256.hash(Array("vqgan".utf8))),
                      WeightRef(name: "prior.safetensors", sha256: SHA256.hash(Array("prior".utf8)))],
            substreamNames: names)
    }

    /// `count` frames: I every 4th, substreams of varied sizes, some empty, in table order.
    static func frames(_ count: Int, seed: UInt64 = 1, maxBytes: Int = 40) -> [FrameUnit] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { i in
            let intra = i % 4 == 0
            let chosen = intra ? Array(names[0..<4]) : ["mv", "y", "z"]
            let subs = chosen.enumerated().map { (k, name) -> Substream in
                // Every third substream of every other frame is empty.
                let n = (i % 2 == 1 && k == 2) ? 0 : Int.random(in: 0...maxBytes, using: &rng)
                return Substream(name: name, bytes: (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) })
            }
            return FrameUnit(type: intra ? .intra : .inter, index: i, substreams: subs)
        }
    }

    static func encode(_ header: SequenceHeader, _ frames: [FrameUnit]) throws -> [UInt8] {
        let sink = MemorySink()
        let writer = try ContainerWriter(sink: sink, header: header)
        for f in frames { try writer.write(f) }
        try writer.finish()
        return sink.bytes
    }

    /// Reads a whole stream, validating it to the end.
    static func decode(_ bytes: [UInt8]) throws -> (SequenceHeader, [FrameUnit]) {
        let reader = try ContainerReader(bytes: bytes, name: "test.dcv")
        let frames = try reader.readAll()
        return (reader.header, frames)
    }

    /// The error reading `bytes` fails with, or nil when it reads cleanly.
    static func failure(_ bytes: [UInt8]) -> ContainerError? {
        do {
            _ = try decode(bytes)
            return nil
        } catch let e as ContainerError {
            return e
        } catch {
            fatalError("unexpected error type \(error)")
        }
    }

    /// Builds a unit by hand (for crafting invalid files the writer refuses to produce).
    static func unit(_ type: UInt8, _ payload: [UInt8]) -> [UInt8] {
        makeUnit(type: type, payload: payload)
    }

    /// The 16-byte file header with a given version and a correct CRC.
    static func fileHeader(major: UInt16 = 1, minor: UInt16 = 0) -> [UInt8] {
        var h = ContainerFormat.magic
        h.appendU16(major)
        h.appendU16(minor)
        h.appendU32(CRC32C.checksum(h))
        return h
    }

    /// A minimal valid header payload (no tools, weights; `names` substreams).
    static func minimalHeaderPayload(names: [String] = ["a"], frameCount: Int = 0) -> [UInt8] {
        SequenceHeader(width: 16, height: 16, frameRate: FrameRate(25), frameCount: frameCount,
                       substreamNames: names).encodePayload()
    }
}
