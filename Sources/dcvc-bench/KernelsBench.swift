import ArgumentParser
import COpenBLAS
import Deterministic
import Foundation
import Tensor
import TensorTraining

/// `dcvc-bench kernels`: GFLOP/s of convolution paths on the shapes our models use, beside the
/// OpenBLAS sgemm rate measured in the same run (a peer measured alongside, as every bench does).
/// Rates count the direct convolution's multiply-adds, so the Winograd paths (3x3 stride 1, both
/// "blas" and "deterministic") report effective rates above what their products run at.
struct KernelsBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernels",
        abstract: "Conv GFLOP/s of each kernel path against OpenBLAS sgemm, measured in the same run.")

    @Flag(help: "Print JSON: {sgemm_gflops, threads, cases: [{name, path, gflops, ...}]}.")
    var json = false

    @Option(help: "Threads for every path (OpenBLAS included).")
    var threads = 2

    @Option(help: "Minimum seconds spent timing each case and path, alternating with sgemm (best of each is reported).")
    var seconds = 0.5

    @Option(help: "Only run cases whose name contains this text.")
    var filter: String?

    func run() throws {
        // The machine may be shared, so each path is timed in alternation with sgemm (best of each
        // over the same stretch of time); a row's ratio uses that sgemm rate, and `sgemm_gflops`
        // is the median of those rates.
        openblas_set_num_threads(Int32(threads))
        let sgemm = SgemmProbe(size: 1024, threads: threads)
        var sgemmRuns: [Double] = []
        var rows: [KernelsBenchRow] = []
        for c in ConvBenchCase.all where filter.map({ c.name.contains($0) }) ?? true {
            let inputs = c.makeInputs()
            for path in ConvBenchPath.all {
                guard let op = path.prepare(c) else { continue }
                let (t, ts) = kernelsAlternatingBest(seconds: seconds, { _ = op(inputs, threads) }, sgemm.run)
                let gflops = 2 * Double(c.macs) / t / 1e9, sg = sgemm.flops / ts / 1e9
                sgemmRuns.append(sg)
                rows.append(KernelsBenchRow(name: c.name, path: path.name, gflops: gflops, seconds: t,
                                            sgemm_nearby_gflops: sg, ratio_to_sgemm: gflops / sg))
                if !json {
                    print(String(format: "%-36@ %-13@ %8.2f GFLOP/s  %6.1f%% of sgemm %6.2f  (%.2f ms)",
                                 c.name as NSString, path.name as NSString, gflops, 100 * gflops / sg,
                                 sg, t * 1e3))
                }
            }
        }
        let median = sgemmRuns.isEmpty ? 0 : sgemmRuns.sorted()[sgemmRuns.count / 2]
        if json {
            let report = KernelsBenchReport(sgemm_gflops: median, sgemm_runs_gflops: sgemmRuns, threads: threads,
                                            cases: rows)
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try enc.encode(report), as: UTF8.self))
        } else {
            print(String(format: "OpenBLAS sgemm 1024^3, %d threads: median %.2f GFLOP/s (%@)", threads, median,
                         sgemmRuns.map { String(format: "%.1f", $0) }.joined(separator: " ") as NSString))
        }
    }
}

struct KernelsBenchRow: Codable {
    var name: String, path: String, gflops: Double, seconds: Double
    /// sgemm measured just before this case, and gflops / that.
    var sgemm_nearby_gflops: Double, ratio_to_sgemm: Double
}

struct KernelsBenchReport: Codable {
    var sgemm_gflops: Double, sgemm_runs_gflops: [Double], threads: Int, cases: [KernelsBenchRow]
}

/// One convolution shape from our models.
struct ConvBenchCase {
    enum Kind { case conv, transposed, subpel }
    var name: String
    var kind: Kind
    var n = 1, cin: Int, cout: Int, h: Int, w: Int, k: Int
    var stride = 1, groups = 1

    var padding: Int { kind == .transposed ? k / 2 : k / 2 }
    /// For transposed cases: output padding that makes the output exactly `stride` times larger.
    var outputPadding: Int { kind == .transposed ? stride - 1 : 0 }

    /// Weight shape as the path expects it (OIHW; IOHW for transposed).
    var weightShape: [Int] {
        kind == .transposed ? [cin, cout / groups, k, k] : [cout, cin / groups, k, k]
    }

    /// Useful multiply-adds (inserted zeros of a transposed conv are not counted).
    var macs: Int {
        switch kind {
        case .conv, .subpel:
            let oh = (h + 2 * padding - k) / stride + 1, ow = (w + 2 * padding - k) / stride + 1
            return n * cout * oh * ow * (cin / groups) * k * k
        case .transposed:
            return n * cin * h * w * (cout / groups) * k * k
        }
    }

    func makeInputs() -> ConvBenchInputs {
        var state: UInt64 = 0x5EED
        func rnd(_ count: Int, _ scale: Float) -> [Float] {
            (0..<count).map { _ in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return (Float(state >> 40) / Float(1 << 24) - 0.5) * scale
            }
        }
        let ws = weightShape
        return ConvBenchInputs(x: Tensor(shape: [n, cin, h, w], storage: rnd(n * cin * h * w, 2)),
                               weight: Tensor(shape: ws, storage: rnd(ws.reduce(1, *), 0.2)),
                               bias: Tensor(shape: [cout], storage: rnd(cout, 0.2)))
    }

    static let all: [ConvBenchCase] = [
        ConvBenchCase(name: "conv3x3 64->64 128x128", kind: .conv, cin: 64, cout: 64, h: 128, w: 128, k: 3),
        ConvBenchCase(name: "conv3x3 64->64 256x256", kind: .conv, cin: 64, cout: 64, h: 256, w: 256, k: 3),
        ConvBenchCase(name: "conv3x3 128->128 128x128", kind: .conv, cin: 128, cout: 128, h: 128, w: 128, k: 3),
        ConvBenchCase(name: "conv3x3 128->128 256x256", kind: .conv, cin: 128, cout: 128, h: 256, w: 256, k: 3),
        ConvBenchCase(name: "conv1x1 128->128 128x128", kind: .conv, cin: 128, cout: 128, h: 128, w: 128, k: 1),
        // The context index prior's trunk and head on the f = 8 grid of a 720p frame.
        ConvBenchCase(name: "prior conv3x3 64->64 90x160", kind: .conv, cin: 64, cout: 64, h: 90, w: 160, k: 3),
        ConvBenchCase(name: "prior head conv1x1 64->256 90x160", kind: .conv, cin: 64, cout: 256, h: 90, w: 160, k: 1),
        // Decoder layers at 720p: the VQGAN's full-width stage (f = 8) and the P-frame prior's fuse.
        ConvBenchCase(name: "vqgan conv3x3 32->32 360x640", kind: .conv, cin: 32, cout: 32, h: 360, w: 640, k: 3),
        ConvBenchCase(name: "inter fuse conv3x3 192->192 45x80", kind: .conv, cin: 192, cout: 192, h: 45, w: 80, k: 3),
        ConvBenchCase(name: "depthwise3x3 128 128x128", kind: .conv, cin: 128, cout: 128, h: 128, w: 128, k: 3,
                      groups: 128),
        ConvBenchCase(name: "conv3x3 s2 64->128 256x256", kind: .conv, cin: 64, cout: 128, h: 256, w: 256, k: 3,
                      stride: 2),
        ConvBenchCase(name: "convT3x3 s2 128->64 64x64", kind: .transposed, cin: 128, cout: 64, h: 64, w: 64, k: 3,
                      stride: 2),
        ConvBenchCase(name: "subpel3x3 64->4x64 64x64 +shuffle", kind: .subpel, cin: 64, cout: 256, h: 64, w: 64, k: 3),
    ]
}

struct ConvBenchInputs { var x: Tensor; var weight: Tensor; var bias: Tensor }

/// A kernel path the bench times: `prepare` returns the operation for a case, or nil when the path
/// does not support that kind. Add a row here to time another path (e.g. the training kernels as
/// "blas") on the same cases.
struct ConvBenchPath {
    var name: String
    var prepare: (ConvBenchCase) -> ((ConvBenchInputs, Int) -> Tensor)?

    static let all: [ConvBenchPath] = [blas, deterministic]

    /// The training path: im2col + OpenBLAS sgemm (depthwise and transposed as that path does them).
    static let blas = ConvBenchPath(name: "blas") { c in
        switch c.kind {
        case .conv:
            return { i, t in
                TrainingKernels.threads = t
                return TrainingKernels.conv2d(i.x, weight: i.weight, bias: i.bias, stride: c.stride,
                                              padding: c.padding, groups: c.groups)
            }
        case .transposed:
            return { i, t in
                TrainingKernels.threads = t
                return TrainingKernels.convTranspose2d(i.x, weight: i.weight, bias: i.bias, stride: c.stride,
                                                       padding: c.padding, outputPadding: c.outputPadding,
                                                       groups: c.groups)
            }
        case .subpel:
            return { i, t in
                TrainingKernels.threads = t
                return TrainingKernels.pixelShuffle(
                    TrainingKernels.conv2d(i.x, weight: i.weight, bias: i.bias, padding: c.padding), factor: 2)
            }
        }
    }

    static let deterministic = ConvBenchPath(name: "deterministic") { c in
        switch c.kind {
        case .conv:
            return { i, t in
                DeterministicKernels.conv2d(i.x, weight: i.weight, bias: i.bias, stride: c.stride,
                                            padding: c.padding, groups: c.groups, threads: t)
            }
        case .transposed:
            return { i, t in
                DeterministicKernels.convTranspose2d(i.x, weight: i.weight, bias: i.bias, stride: c.stride,
                                                     padding: c.padding, outputPadding: c.outputPadding,
                                                     groups: c.groups, threads: t)
            }
        case .subpel:
            return { i, t in
                DeterministicKernels.pixelShuffle(
                    DeterministicKernels.conv2d(i.x, weight: i.weight, bias: i.bias, padding: c.padding, threads: t),
                    factor: 2, threads: t)
            }
        }
    }
}

/// Best wall times of `a` and of `b`, run in alternation (after one warm-up each) until `seconds`
/// have passed and at least 3 rounds are done, so both see the same machine load.
fileprivate func kernelsAlternatingBest(seconds: Double, _ a: () -> Void, _ b: () -> Void) -> (Double, Double) {
    func time(_ f: () -> Void) -> Double {
        let t0 = DispatchTime.now().uptimeNanoseconds
        f()
        return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    }
    a(); b()
    var bestA = Double.infinity, bestB = Double.infinity, total = 0.0, rounds = 0
    while total < seconds || rounds < 3 {
        let ta = time(a), tb = time(b)
        bestA = min(bestA, ta); bestB = min(bestB, tb); total += ta + tb; rounds += 1
    }
    return (bestA, bestB)
}

/// One OpenBLAS sgemm call on square `size` matrices (the peer rate the kernels are compared with).
fileprivate final class SgemmProbe {
    let n: Int
    let threads: Int
    let a: [Float], b: [Float]
    var c: [Float]
    init(size: Int, threads: Int) {
        n = size
        self.threads = threads
        a = [Float](repeating: 0.5, count: size * size)
        b = [Float](repeating: 0.25, count: size * size)
        c = [Float](repeating: 0, count: size * size)
    }
    var flops: Double { 2 * Double(n) * Double(n) * Double(n) }
    func run() {
        // The training kernels change OpenBLAS's thread count (one BLAS thread per batch chunk),
        // so the peer sets its own before every call.
        Gemm.setThreads(threads)
        let m = Int32(n)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, m, m, 1, a, m, b, m, 0, &c, m)
    }
}
