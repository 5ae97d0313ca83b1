// Helpers shared by the Media tests: synthetic frames, hand-written WAVs (temporary
// directories: ToolTesting's makeTemporaryDirectory).

import Foundation
import XCTest
import Media

/// A smooth moving test picture: gradients lossy codecs keep well, different in every plane
/// and every frame. Samples stay in the limited range so any range handling shows up.
func syntheticFrame(width: Int, height: Int, format: PixelFormat, index: Int,
                    frameRate: FrameRate = FrameRate(25), color: ColorInfo = .bt709Limited) -> VideoFrame {
    let cw = format.chromaWidth(forLumaWidth: width), ch = format.chromaHeight(forLumaHeight: height)
    var y = [UInt8](repeating: 0, count: width * height)
    for r in 0..<height {
        for c in 0..<width {
            y[r * width + c] = UInt8(20 + ((c + 3 * index) * 150 / width + r * 60 / height) % 210)
        }
    }
    var u = [UInt8](repeating: 0, count: cw * ch), v = u
    for r in 0..<ch {
        for c in 0..<cw {
            u[r * cw + c] = UInt8(60 + (c * 100 / cw + index * 2) % 130)
            v[r * cw + c] = UInt8(200 - (r * 120 / ch + index) % 150)
        }
    }
    return VideoFrame(width: width, height: height, format: format, y: y, u: u, v: v,
                      frameRate: frameRate, color: color, index: index)
}

/// Mean absolute difference of two equally long planes.
func meanAbsoluteDifference(_ a: [UInt8], _ b: [UInt8]) -> Double {
    precondition(a.count == b.count)
    var s = 0
    for i in 0..<a.count { s += abs(Int(a[i]) - Int(b[i])) }
    return Double(s) / Double(max(a.count, 1))
}

/// Largest absolute difference of two equally long planes.
func maxAbsoluteDifference(_ a: [UInt8], _ b: [UInt8]) -> Int {
    precondition(a.count == b.count)
    var m = 0
    for i in 0..<a.count { m = max(m, abs(Int(a[i]) - Int(b[i]))) }
    return m
}

/// Writes `count` frames with a libavcodec encoder and returns the frames written.
@discardableResult
func writeClip(_ path: String, codec: String, count: Int, width: Int, height: Int,
               format: PixelFormat = .yuv420p, encoderPixelFormat: String? = nil,
               color: ColorInfo = .bt709Limited, frameRate: FrameRate = FrameRate(25),
               options: [String: String] = [:]) throws -> [VideoFrame] {
    let writer = try VideoWriter(path: path, codec: codec, width: width, height: height, frameRate: frameRate,
                                 pixelFormat: format, encoderPixelFormat: encoderPixelFormat,
                                 color: color, options: options)
    var frames: [VideoFrame] = []
    for i in 0..<count {
        let f = syntheticFrame(width: width, height: height, format: format, index: i, frameRate: frameRate, color: color)
        try writer.write(f)
        frames.append(f)
    }
    let stats = try writer.finish()
    XCTAssertEqual(stats.frames, count)
    XCTAssertGreaterThan(stats.fileBytes, 0)
    return frames
}

/// Reads every frame of a source.
func readAll(_ source: FrameSource) throws -> [VideoFrame] {
    var out: [VideoFrame] = []
    while let f = try source.nextFrame() { out.append(f) }
    return out
}

/// A minimal mono 16-bit PCM WAV file of `samples` samples of a sine at 440 Hz.
func wavBytes(samples: Int, sampleRate: Int = 8000) -> [UInt8] {
    func le32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
    func le16(_ v: Int) -> [UInt8] { (0..<2).map { UInt8((v >> (8 * $0)) & 0xFF) } }
    var data: [UInt8] = []
    for i in 0..<samples {
        let s = Int(8000 * sin(2 * Double.pi * 440 * Double(i) / Double(sampleRate)))
        data += le16(s & 0xFFFF)
    }
    var out = Array("RIFF".utf8) + le32(36 + data.count) + Array("WAVE".utf8)
    out += Array("fmt ".utf8) + le32(16) + le16(1) + le16(1) + le32(sampleRate) + le32(2 * sampleRate) + le16(2) + le16(16)
    out += Array("data".utf8) + le32(data.count) + data
    return out
}

/// Asserts that `body` throws a `MediaError` for which `matches` is true.
func assertMediaError<T>(_ body: @autoclosure () throws -> T, _ message: String = "",
                      file: StaticString = #filePath, line: UInt = #line,
                      matches: (MediaError) -> Bool) {
    do {
        _ = try body()
        XCTFail("expected a MediaError \(message)", file: file, line: line)
    } catch let e as MediaError {
        XCTAssertTrue(matches(e), "unexpected error: \(e) \(message)", file: file, line: line)
        XCTAssertFalse(e.description.isEmpty)
    } catch {
        XCTFail("expected a MediaError, got \(error) \(message)", file: file, line: line)
    }
}
