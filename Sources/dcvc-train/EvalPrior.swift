import ArgumentParser
import Checksum
import Codec
import Foundation
import Media
import Models
import Tensor
import TensorTraining
import ToolSupport
import Training

/// `dcvc-train eval-prior`: real coded bits per index of an index prior on video frames.
struct EvalPrior: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval-prior",
        abstract: "Bits per index per level of a transformer index prior, coded through rANS and decoded back.",
        discussion: """
            Each frame (top-left crop to a multiple of the tokenizer's factor) is tokenized, then every \
            level is coded into its own rANS stream through the prior and decoded again (checked equal). \
            Reports per level the real bits per index (stream bytes x 8 / indices), the estimate \
            (-log2 of the Float softmax), the saving against log2 K, the bits of the codec's \
            uniform/adaptive substream for comparison, and encode/decode milliseconds per frame.
            """)

    @Option(help: "Prior weights (.safetensors from prior-transformer).") var prior: String
    @Option(help: "Tokenizer weights.") var tokenizer: String
    @Option(help: "Video to evaluate (repeatable).") var video: [String]
    @Option(help: "Frames per video.") var frames: Int = 32
    @Option(help: "Threads (tokenizer; the prior is serial).") var threads: Int = 1

    func run() throws {
        TrainingKernels.threads = threads
        let tok = try VQTokenizer(path: tokenizer)
        let p = try TransformerIndexPrior(path: prior)
        let f = tok.config.factor, L = min(tok.config.levels, p.levels), K = p.codebookSize
        guard K == tok.config.codebookSize else { throw ToolError(file: prior, "codebook \(K) differs from the tokenizer's") }
        print("prior \(p.name) (\(p.weightRef.name)), tokenizer \((tokenizer as NSString).lastPathComponent), log2 K = \(Foundation.log2(Double(K)))")
        for path in video {
            var bytes = [Int](repeating: 0, count: L), est = [Double](repeating: 0, count: L)
            var baseline = [Int](repeating: 0, count: L)
            var indices = 0, n = 0, encSeconds = 0.0, decSeconds = 0.0, encCPU = 0.0, decCPU = 0.0
            var size = ""
            var digest = SHA256()
            let reader = try openVideo(path: path, maxFrames: frames)
            while let frame = try reader.nextFrame() {
                let rgb = ColorConversion.toRGB(frame)
                let w = rgb.width / f * f, h = rgb.height / f * f
                var x = Tensor.zeros([1, 3, h, w])
                for c in 0..<3 { for y in 0..<h { for xx in 0..<w {
                    x.storage[(c * h + y) * w + xx] = rgb.data[(c * rgb.height + y) * rgb.width + xx]
                } } }
                let planes = tok.encode(x).map { $0.map(Int32.init) }
                let gw = w / f, gh = h / f
                size = "\(w)x\(h) (\(gw)x\(gh) indices)"
                for l in 0..<L {
                    let t0 = Date(), c0 = threadCPUSeconds()
                    let e = try PriorPlaneCoder.encode(prior: p, level: l, width: gw, height: gh, planes: planes, threads: threads,
                                                       estimate: true)
                    let t1 = Date(), c1 = threadCPUSeconds()
                    let back = try PriorPlaneCoder.decode(e.bytes, prior: p, level: l, width: gw, height: gh,
                                                          lower: Array(planes[0..<l]), threads: threads)
                    decSeconds += Date().timeIntervalSince(t1); encSeconds += t1.timeIntervalSince(t0)
                    decCPU += threadCPUSeconds() - c1; encCPU += c1 - c0
                    guard back == planes[l] else { throw ToolError(file: path, "frame \(n) level \(l): decoded plane differs") }
                    bytes[l] += e.bytes.count; est[l] += e.estimatedBits ?? 0
                    digest.update(e.bytes)
                    baseline[l] += try IndexPlaneCoder.encode(planes[l], codebookSize: K).count
                }
                indices += gw * gh; n += 1
            }
            let log2K = Foundation.log2(Double(K))
            var s = "\(path): \(n) frames at \(size)\nlevel  real-bits/idx  est-bits/idx  saving-vs-log2K  substream-bits/idx\n"
            for l in 0..<L {
                let real = Double(bytes[l] * 8) / Double(indices)
                s += String(format: "%5d  %13.4f  %12.4f  %14.2f%%  %18.4f\n", l, real, est[l] / Double(indices),
                            100 * (1 - real / log2K), Double(baseline[l] * 8) / Double(indices))
            }
            let realAll = Double(bytes.reduce(0, +) * 8) / Double(indices * L)
            let estAll = est.reduce(0, +) / Double(indices * L)
            s += String(format: "  all  %13.4f  %12.4f  %14.2f%%  %18.4f\n", realAll, estAll, 100 * (1 - realAll / log2K),
                        Double(baseline.reduce(0, +) * 8) / Double(indices * L))
            let per = 1000 / Double(max(1, n))
            s += String(format: "encode %.1f ms/frame (CPU %.1f), decode %.1f ms/frame (CPU %.1f), %d levels, threads %d\n",
                        encSeconds * per, encCPU * per, decSeconds * per, decCPU * per, L, threads)
            s += "streams sha256 \(SHA256.hex(digest.finalize()))\n"
            print(s)
        }
    }
}

/// CPU time of the calling thread (wall-clock figures are inflated when other jobs share the cores).
func threadCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}
