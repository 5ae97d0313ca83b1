import ToolTesting
import XCTest
@testable import Bitstream
import Foundation

/// Writing to and streaming from real files and pipes.
final class ContainerFileTests: XCTestCase {
    private var paths: [String] = []

    private func tempPath(_ tag: String) -> String {
        let p = NSTemporaryDirectory() + "dcv-\(tag)-\(getpid())-\(paths.count).dcv"
        paths.append(p)
        return p
    }

    override func tearDown() {
        for p in paths { try? FileManager.default.removeItem(atPath: p) }
        paths = []
    }

    /// Deterministic frame `i` of the large stream; large substreams exercise the chunked reads.
    private func largeFrame(_ i: Int) -> FrameUnit {
        var rng = SplitMix64(seed: UInt64(i) &+ 77)
        let sizes = i == 5 ? [3 << 20, 0, 100] : [Int.random(in: 0...40_000, using: &rng), 70_000, i % 3 == 0 ? 0 : 17]
        return FrameUnit(type: i % 8 == 0 ? .intra : .inter, index: i, substreams: zip(["a", "b", "c"], sizes).map {
            Substream(name: $0.0, bytes: randomBytes($0.1, &rng))
        })
    }

    /// `n` pseudo-random bytes, eight per generator step (debug builds are slow per byte).
    private func randomBytes(_ n: Int, _ rng: inout SplitMix64) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: n)
        out.withUnsafeMutableBytes { raw in
            var i = 0
            while i < n {
                var word = rng.next()
                for _ in 0..<min(8, n - i) { raw[i] = UInt8(truncatingIfNeeded: word); word >>= 8; i += 1 }
            }
        }
        return out
    }

    func testStreamingALargerFileThroughAPath() throws {
        let path = tempPath("large")
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        let header = SequenceHeader(width: 640, height: 272, frameRate: FrameRate(25), intraPeriod: 8,
                                    substreamNames: ["a", "b", "c"])
        let count = 60
        let writer = try ContainerWriter(sink: FileSink(fileHandle: handle), header: header, name: path)
        for i in 0..<count { try writer.write(largeFrame(i)) }
        try writer.finish()
        try handle.close()
        XCTAssertTrue(writer.patchedFrameCount)
        let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber).intValue
        XCTAssertEqual(size, writer.bytesWritten)
        XCTAssertGreaterThan(size, 7_000_000)

        let reader = try ContainerReader(path: path)
        XCTAssertEqual(reader.header.frameCount, count, "patched in place")
        var n = 0
        while let frame = try reader.nextFrame() {
            XCTAssertEqual(frame, largeFrame(n))
            n += 1
        }
        XCTAssertEqual(n, count)
        XCTAssertEqual(reader.bytesRead, size)
    }

    func testPatchingWorksWhenTheStreamDoesNotStartAtOffsetZero() throws {
        let path = tempPath("offset")
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data([7, 7, 7])))
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        let frames = Fixtures.frames(4)
        let writer = try ContainerWriter(sink: FileSink(fileHandle: handle), header: Fixtures.header())
        for f in frames { try writer.write(f) }
        try writer.finish()
        try handle.close()
        XCTAssertTrue(writer.patchedFrameCount)
        let all = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        XCTAssertEqual(Array(all[0..<3]), [7, 7, 7])
        let (header, read) = try Fixtures.decode(Array(all[3...]))
        XCTAssertEqual(header.frameCount, 4)
        XCTAssertEqual(read, frames)
    }

    func testPipeOutputKeepsAnUnknownFrameCount() throws {
        let pipe = Pipe()
        let header = SequenceHeader(width: 16, height: 16, frameRate: FrameRate(25), substreamNames: ["x"])
        let writer = try ContainerWriter(sink: FileSink(fileHandle: pipe.fileHandleForWriting), header: header)
        for i in 0..<3 { try writer.write(FrameUnit(type: .intra, index: i, substreams: [Substream(name: "x", bytes: [UInt8(i)])])) }
        try writer.finish()
        try pipe.fileHandleForWriting.close()
        XCTAssertFalse(writer.patchedFrameCount)

        let reader = try ContainerReader(fileHandle: pipe.fileHandleForReading, name: "<pipe>")
        XCTAssertEqual(reader.header.frameCount, 0, "a pipe cannot be patched: unknown")
        XCTAssertEqual(try reader.readAll().map { $0.substreams[0].bytes }, [[0], [1], [2]])
    }

    func testMissingPathAndDirectory() {
        XCTAssertThrowsError(try ContainerReader(path: "/nonexistent/x.dcv")) {
            XCTAssertEqual(($0 as? ContainerError)?.description, "/nonexistent/x.dcv: no such file")
        }
        XCTAssertThrowsError(try ContainerReader(path: NSTemporaryDirectory())) {
            XCTAssertNotNil($0 as? ContainerError)
        }
    }

    func testLyingLengthOnAFileDoesNotAllocateIt() throws {
        // A unit claiming 2^28 - 1 bytes in a 23-byte file: refused at once from the file size.
        let path = tempPath("lie")
        let bytes = Fixtures.fileHeader() + [0x01, 0xFF, 0xFF, 0xFF, 0x7F, 1, 2]
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        XCTAssertThrowsError(try ContainerReader(path: path)) {
            guard case .truncated? = ($0 as? ContainerError)?.reason else { return XCTFail("\($0)") }
        }
    }
}
