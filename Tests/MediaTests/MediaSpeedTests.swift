import Foundation
import XCTest
import Media
#if canImport(Glibc)
import Glibc
#endif

/// CPU seconds used by this process (unaffected by other processes on a shared machine).
private func cpuSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Opt-in throughput figures: `DCVC_MEDIA_PERF_CLIP=<video> swift test --filter MediaSpeedTests`
/// (use `-c release` for meaningful numbers). Decodes the whole clip (or DCVC_MEDIA_PERF_FRAMES),
/// converting each frame to RGB and back, and prints frames per CPU-second for each stage
/// (CPU time, so other processes on the machine do not distort it).
final class MediaSpeedTests: XCTestCase {
    func testDecodeAndConvertThroughput() throws {
        let env = ProcessInfo.processInfo.environment
        guard let clip = env["DCVC_MEDIA_PERF_CLIP"] else {
            throw XCTSkip("set DCVC_MEDIA_PERF_CLIP=<video> to measure decode and colour conversion speed")
        }
        let limit = env["DCVC_MEDIA_PERF_FRAMES"].flatMap(Int.init)
        let reader = try openVideo(path: clip, maxFrames: limit)
        var decodeTime = 0.0, rgbTime = 0.0, yuvTime = 0.0, frames = 0
        var checksum = 0
        while true {
            let t0 = cpuSeconds()
            guard let frame = try reader.nextFrame() else { break }
            let t1 = cpuSeconds()
            let rgb = ColorConversion.toRGB(frame)
            let t2 = cpuSeconds()
            let back = ColorConversion.toYUV420(rgb)
            let t3 = cpuSeconds()
            decodeTime += t1 - t0
            rgbTime += t2 - t1
            yuvTime += t3 - t2
            checksum &+= Int(back.y[back.y.count / 2])
            frames += 1
        }
        XCTAssertGreaterThan(frames, 0)
        func fps(_ t: Double) -> String { String(format: "%.1f", Double(frames) / max(t, 1e-9)) }
        print("\(clip): \(frames) frames \(reader.width)x\(reader.height); decode \(fps(decodeTime)) fps, "
            + "toRGB \(fps(rgbTime)) fps, toYUV420 \(fps(yuvTime)) fps per CPU-second, 1 thread, peak RSS \(peakResidentMiB().map { String(format: "%.0f MiB", $0) } ?? "?") (checksum \(checksum))")
    }
}

/// Peak resident memory of this process in MiB (Linux /proc), for the streaming check.
func peakResidentMiB() -> Double? {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
        return kb / 1024
    }
    return nil
}
