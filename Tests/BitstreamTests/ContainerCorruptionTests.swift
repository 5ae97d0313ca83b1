import ToolTesting
import XCTest
@testable import Bitstream
import Foundation

/// Truncation and bit flips: every damaged file must be refused with a ContainerError.
final class ContainerCorruptionTests: XCTestCase {
    /// A small file: header with tools/weights/table, five frames, some empty substreams.
    private func smallFile() throws -> [UInt8] {
        try Fixtures.encode(Fixtures.header(), Fixtures.frames(5, seed: 7, maxBytes: 12))
    }

    func testEveryTruncationPointIsRejected() throws {
        let bytes = try smallFile()
        XCTAssertNil(Fixtures.failure(bytes), "the intact file must read")
        for length in 0..<bytes.count {
            guard let error = Fixtures.failure(Array(bytes[0..<length])) else {
                XCTFail("prefix of \(length) of \(bytes.count) bytes was accepted")
                continue
            }
            switch error.reason {
            case .truncated, .missingEndMarker: break
            default: XCTFail("prefix \(length): expected truncated, got \(error)")
            }
        }
    }

    /// The same through a file handle, whose size the reader does not know (as for a pipe): the
    /// chunked path must find every truncation too.
    func testEveryTruncationPointIsRejectedWhenTheSizeIsUnknown() throws {
        let bytes = try smallFile()
        let path = NSTemporaryDirectory() + "dcv-trunc-\(getpid()).dcv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        for length in stride(from: 0, through: bytes.count, by: 1) {
            _ = FileManager.default.createFile(atPath: path, contents: Data(bytes[0..<length]))
            let handle = try XCTUnwrap(FileHandle(forReadingAtPath: path))
            defer { try? handle.close() }
            do {
                let reader = try ContainerReader(fileHandle: handle, name: path)
                _ = try reader.readAll()
                XCTAssertEqual(length, bytes.count, "prefix of \(length) bytes was accepted")
            } catch let error as ContainerError {
                XCTAssertLessThan(length, bytes.count, "the intact file failed: \(error)")
                switch error.reason {
                case .truncated, .missingEndMarker: break
                default: XCTFail("prefix \(length): expected truncated, got \(error)")
                }
            }
        }
    }

    func testRandomBitFlipsAreRejected() throws {
        let bytes = try smallFile()
        var rng = SplitMix64(seed: 2024)
        var reasons: [String: Int] = [:]
        for _ in 0..<2000 {
            let bit = Int.random(in: 0..<(bytes.count * 8), using: &rng)
            var damaged = bytes
            damaged[bit / 8] ^= UInt8(1 << (bit % 8))
            guard let error = Fixtures.failure(damaged) else {
                XCTFail("flip of bit \(bit) (byte \(bit / 8)) was accepted")
                continue
            }
            let key = String(describing: error.reason).prefix { $0 != "(" }
            reasons[String(key), default: 0] += 1
        }
        // Most flips land in a unit and are caught by its CRC; the magic's flips by the magic check.
        XCTAssertGreaterThan(reasons["crcMismatch", default: 0], 1500, "\(reasons)")
        XCTAssertGreaterThan(reasons["badMagic", default: 0], 0, "\(reasons)")
    }

    /// Every single-bit flip of the whole small file, exhaustively (a few thousand reads).
    func testEverySingleBitFlipIsRejected() throws {
        let bytes = try smallFile()
        for bit in 0..<(bytes.count * 8) {
            var damaged = bytes
            damaged[bit / 8] ^= UInt8(1 << (bit % 8))
            XCTAssertNotNil(Fixtures.failure(damaged), "flip of bit \(bit) was accepted")
        }
    }

    func testRandomByteInsertionsAndDeletionsAreRejected() throws {
        let bytes = try smallFile()
        var rng = SplitMix64(seed: 5)
        for trial in 0..<1000 {
            var damaged = bytes
            let at = Int.random(in: 0..<bytes.count, using: &rng)
            if trial % 2 == 0 {
                damaged.remove(at: at)
            } else {
                damaged.insert(UInt8.random(in: 0...255, using: &rng), at: at)
            }
            XCTAssertNotNil(Fixtures.failure(damaged), "trial \(trial) at byte \(at) was accepted")
        }
    }

    func testRandomByteGarbageNeverCrashes() throws {
        var rng = SplitMix64(seed: 99)
        let valid = try smallFile()
        for trial in 0..<300 {
            // Keep a valid file header half the time so the unit parser sees garbage too.
            let n = Int.random(in: 0...400, using: &rng)
            var junk = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if trial % 2 == 0 { junk = Array(valid[0..<16]) + junk }
            XCTAssertNotNil(Fixtures.failure(junk))
        }
    }
}
