import Foundation
import Media
import Models
import Tensor
import Training
import XCTest

final class FrameSamplerTests: XCTestCase {
    func tempDir() throws -> String {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("frames-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: d) }
        return d
    }

    /// A lossless clip whose frame i has luma 20 + 10 i plus a horizontal ramp.
    /// A clip whose luma ramps by `step` per frame (0: every frame the same).
    func makeClip(_ path: String, frames: Int, width: Int = 48, height: Int = 40, step: Int = 10) throws {
        let w = try VideoWriter(path: path, codec: "ffv1", width: width, height: height, frameRate: FrameRate(25))
        for i in 0..<frames {
            let y = (0..<width * height).map { UInt8(20 + step * i + ($0 % width)) }
            let c = [UInt8](repeating: 128, count: (width / 2) * (height / 2))
            try w.write(VideoFrame(width: width, height: height, format: .yuv420p, y: y, u: c, v: c, index: i))
        }
        _ = try w.finish()
    }

    func testPoolAndBatchesAreDeterministicAndCached() throws {
        let dir = try tempDir()
        let clip = dir + "/a.mkv"
        try makeClip(clip, frames: 12)
        let sources = [DataSource(path: clip, kind: .video)]
        let opts = FramePoolOptions(framesPerVideo: 4, targetShortSide: 540, crop: 32, seed: 7)
        let cache = try FrameCache(directory: dir + "/cache")
        let p1 = try FramePool(sources: sources, options: opts, cache: cache)
        XCTAssertEqual(p1.frames.count, 4)
        XCTAssertEqual(p1.frames[0].width, 48)
        // Frames come from distinct segments of the 12-frame clip, in order.
        let idx = p1.labels.map { Int($0.split(separator: "#").last!)! }
        XCTAssertEqual(idx, idx.sorted())
        XCTAssertEqual(Set(idx).count, 4)
        // The second build reads the cache (delete the clip to prove it) and gives the same pool.
        try FileManager.default.removeItem(atPath: clip)
        let p2 = try FramePool(sources: sources, options: opts, cache: cache)
        XCTAssertEqual(p1, p2)
        let s1 = BatchSampler(pool: p1, batch: 3, crop: 32, seed: 9), s2 = BatchSampler(pool: p2, batch: 3, crop: 32, seed: 9)
        XCTAssertEqual(s1.batch(step: 5), s2.batch(step: 5))
        XCTAssertNotEqual(s1.batch(step: 5), s1.batch(step: 6))
        XCTAssertEqual(s1.batch(step: 0).shape, [3, 3, 32, 32])
        let prefetch = BatchPrefetcher(sampler: s1)
        for s in 0..<3 { XCTAssertEqual(prefetch.batch(step: s), s1.batch(step: s)) }
        XCTAssertTrue(s1.batch(step: 1).storage.allSatisfy { (0...1).contains($0) })
    }

    /// The tests' tiny tokenizer after two training steps, as shipped weights.
    func trainedTinyTokenizer() throws -> VQTokenizer {
        let t = try tinyTrainer()
        let sampler = BatchSampler(pool: syntheticPool(), batch: 2, crop: 32, seed: 3)
        for s in 0..<2 { t.trainStep(sampler.batch(step: s)) }
        return try VQTokenizer(file: t.exportWeights(), path: "mem")
    }

    func testTokenizerEvaluationOnAClip() throws {
        let dir = try tempDir()
        let clip = dir + "/e.mkv"
        try makeClip(clip, frames: 2, width: 20, height: 18)
        let tok = try trainedTinyTokenizer()
        let e = try TokenizerEvaluation(tokenizer: tok, path: clip, maxFrames: 8, threads: 2)
        XCTAssertEqual(e.frames, 2)
        XCTAssertEqual([e.width, e.height], [16, 16], "cropped to the multiple of 8")
        XCTAssertEqual(e.prefixes, [1, 2])
        XCTAssertEqual(e.bpp, [4.0 / 64, 8.0 / 64])
        XCTAssertTrue(e.psnr.allSatisfy { $0.isFinite && $0 > 0 })
        XCTAssertTrue(e.codesUsed.allSatisfy { (1...16).contains($0) })
        XCTAssertEqual(e.repeats.count, e.codesUsed.count, "one figure per level")
        XCTAssertTrue(e.repeats.allSatisfy { (0...1).contains($0) })
        // A still clip repeats every index; a single frame has nothing to compare.
        let still = dir + "/still.mkv"
        try makeClip(still, frames: 3, width: 20, height: 18, step: 0)
        XCTAssertEqual(try TokenizerEvaluation(tokenizer: tok, path: still, maxFrames: 3, threads: 2).repeats,
                       Array(repeating: 1, count: e.codesUsed.count))
        XCTAssertEqual(try TokenizerEvaluation(tokenizer: tok, path: still, maxFrames: 1, threads: 2).repeats, [])
        let indicesOnly = try TokenizerEvaluation(tokenizer: tok, path: clip, maxFrames: 8, threads: 2, decode: false)
        XCTAssertEqual(indicesOnly.prefixes, [])
        XCTAssertEqual(indicesOnly.psnr, [])
        XCTAssertEqual(indicesOnly.codesUsed, e.codesUsed)
        XCTAssertEqual(indicesOnly.repeats, e.repeats)
        XCTAssertEqual(e.lpips, [], "no LPIPS without its network")
    }

    func testTokenizerEvaluationAveragesLPIPSPerPrefix() throws {
        let dir = try tempDir()
        let clip = dir + "/p.mkv"
        try makeClip(clip, frames: 2, width: 40, height: 40)
        let tok = try trainedTinyTokenizer()
        let net = try randomLPIPS(seed: 4)
        let e = try TokenizerEvaluation(tokenizer: tok, path: clip, maxFrames: 2, threads: 1, lpips: net)
        XCTAssertEqual(e.lpips.count, e.prefixes.count)
        XCTAssertTrue(e.lpips.allSatisfy { $0.isFinite && $0 > 0 }, "\(e.lpips)")
        // A mean over the frames: the two frames differ, so their mean is not the first's alone.
        let first = try TokenizerEvaluation(tokenizer: tok, path: clip, maxFrames: 1, threads: 1, lpips: net)
        XCTAssertNotEqual(first.lpips, e.lpips)
        XCTAssertTrue(e.report.contains("LPIPS"))
        XCTAssertEqual(e.psnr, try TokenizerEvaluation(tokenizer: tok, path: clip, maxFrames: 2, threads: 1).psnr,
                       "LPIPS leaves the PSNR figures alone")
    }

    /// The YUV figure weighs luma 6:1:1 against each chroma plane: a grey error is all luma
    /// (6/8 of its square), a pure Cr error (R - 1.402 x, G + 0.714 x, B for Cr = -x) costs 1/8.
    func testTokenizerEvaluationYUVWeighsLumaSixToOne() throws {
        XCTAssertEqual(TokenizerEvaluation.yuv611SquaredError(0.1, 0.1, 0.1), 0.75 * 0.01, accuracy: 1e-6)
        let cr = TokenizerEvaluation.yuv611SquaredError(-1.402 * 0.1, 0.714136 * 0.1, 0)
        XCTAssertEqual(cr, 0.01 / 8, accuracy: 1e-5)
        let dir = try tempDir()
        let clip = dir + "/y.mkv"
        try makeClip(clip, frames: 1, width: 40, height: 40)
        let e = try TokenizerEvaluation(tokenizer: try trainedTinyTokenizer(), path: clip, maxFrames: 1, threads: 1)
        XCTAssertEqual(e.psnrYUV.count, e.prefixes.count)
        XCTAssertTrue(e.psnrYUV.allSatisfy(\.isFinite) && e.psnrYUV != e.psnr, "\(e.psnrYUV) \(e.psnr)")
        XCTAssertTrue(e.report.contains("PSNR-YUV444"))
    }

    func testShortVideoIsAnErrorNamingTheFile() throws {
        let dir = try tempDir()
        let clip = dir + "/short.mkv"
        try makeClip(clip, frames: 3)
        let opts = FramePoolOptions(framesPerVideo: 5, crop: 32, seed: 1)
        XCTAssertThrowsError(try FramePool(sources: [DataSource(path: clip, kind: .video)], options: opts, cache: nil)) { e in
            XCTAssertEqual(e as? DataError, .tooShort(path: clip, frames: 3, needed: 5))
            XCTAssertTrue("\(e)".contains(clip))
        }
        // A stale frame count in the cache (more frames than the file has) is caught while decoding.
        let cache = try FrameCache(directory: dir + "/cache")
        try cache.storeFrameCount(50, source: clip)
        XCTAssertThrowsError(try FramePool(sources: [DataSource(path: clip, kind: .video)], options: opts, cache: cache)) { e in
            guard case .tooShort(let p, 3, _)? = e as? DataError else { return XCTFail("\(e)") }
            XCTAssertEqual(p, clip)
        }
    }

    func testMissingVideoIsAnErrorNamingTheFile() throws {
        let missing = try tempDir() + "/nope.mp4"
        XCTAssertThrowsError(try FramePool(sources: [DataSource(path: missing, kind: .video)],
                                           options: FramePoolOptions(crop: 32), cache: nil)) { e in
            XCTAssertTrue("\(e)".contains(missing), "\(e)")
        }
    }

    func testFrameImageDownscaleAndManifest() throws {
        let img = FrameImage(width: 4, height: 2, rgb: [UInt8](repeating: 10, count: 8) + [UInt8](repeating: 30, count: 8)
                             + (0..<8).map { UInt8($0 * 10) })
        let h = img.halved()
        XCTAssertEqual([h.width, h.height], [2, 1])
        XCTAssertEqual(h.rgb, [10, 10, 30, 30, 25, 45])
        let big = FrameImage(width: 1200, height: 800, rgb: [UInt8](repeating: 0, count: 3 * 1200 * 800))
        let (d, n) = big.downscaled(targetShortSide: 540, crop: 128)
        XCTAssertEqual([d.width, d.height, n], [600, 400, 1])

        let dir = try tempDir()
        try "# path\tbytes\tsha256\tpurpose\tsource\nv/a.mp4\t1\tx\ttrain\ts\nv/b.mp4\t1\tx\teval\ts\np/c.png\t1\tx\ttrain\ts\n"
            .write(toFile: dir + "/MANIFEST", atomically: true, encoding: .utf8)
        let s = try DataManifest.sources(dataDir: dir)
        XCTAssertEqual(s.map(\.path), [dir + "/v/a.mp4", dir + "/p/c.png"])
        XCTAssertEqual(s.map(\.kind), [.video, .photo])
        XCTAssertThrowsError(try DataManifest.sources(dataDir: dir + "/none"))
    }
}
