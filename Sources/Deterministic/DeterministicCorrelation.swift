import Tensor
/// The one inner loop behind every deterministic convolution (plain, strided, grouped, depthwise,
/// 1x1, transposed): a correlation of a prepared, padded input with packed weights.
///
/// For an output element the sum is, in this order and starting from +0:
///
///     acc = 0; for ci in 0..<cin (ascending) { for t in 0..<taps (ascending) { acc = acc + w[ci][t] * x[ci][t] } }
///     out = acc + bias            (when there is a bias)
///
/// where the taps are listed in (ky, kx) raster order. Padding samples are real zeros (or
/// replicated edge values) in the prepared input, so every output runs the same sequence of
/// operations. The SIMD path computes 16 neighbouring outputs of one row at once (one lane each)
/// for 4 output channels (or 32 outputs of 1 channel), and may stop after a chunk of input
/// channels, park the partial sums in the output and resume (exact: a stored Float reloads as the
/// same Float); the scalar path runs the identical sequence per element in one go.
struct CorrelationJob {
    /// Input plane base for input channel 0 of this group, at the tile's row origin.
    var input: UnsafePointer<Float>
    /// Floats between consecutive input channels in the prepared input.
    var channelStride: Int
    /// Input channels summed (per group).
    var channels: Int
    /// Offsets of the taps inside one channel, relative to the output element's origin.
    var taps: UnsafePointer<Int>
    var tapCount: Int
    /// Packed weights: [channels][tapCount][block] for a block of output channels.
    var weights: UnsafePointer<Float>
}

typealias CorrVector = SIMD16<Float>

extension CorrelationJob {
    /// Four output channels x 16 consecutive outputs; continues the sums in `initial` over this
    /// job's channels and returns them (no bias).
    @inline(__always)
    func simd4(at origin: Int, _ initial: (CorrVector, CorrVector, CorrVector, CorrVector))
        -> (CorrVector, CorrVector, CorrVector, CorrVector) {
        var (a0, a1, a2, a3) = initial
        var wp = weights
        var src = input + origin
        for _ in 0..<channels {
            for t in 0..<tapCount {
                let v = UnsafeRawPointer(src + taps[t]).loadUnaligned(as: CorrVector.self)
                a0 = a0 + CorrVector(repeating: wp[0]) * v
                a1 = a1 + CorrVector(repeating: wp[1]) * v
                a2 = a2 + CorrVector(repeating: wp[2]) * v
                a3 = a3 + CorrVector(repeating: wp[3]) * v
                wp += 4
            }
            src += channelStride
        }
        return (a0, a1, a2, a3)
    }

    /// One output channel x 32 consecutive outputs (two vectors), for thin blocks and depthwise.
    @inline(__always)
    func simd1x2(at origin: Int, _ initial: (CorrVector, CorrVector)) -> (CorrVector, CorrVector) {
        var (a0, a1) = initial
        var wp = weights
        var src = input + origin
        for _ in 0..<channels {
            for t in 0..<tapCount {
                let p = UnsafeRawPointer(src + taps[t])
                let w = CorrVector(repeating: wp[0])
                a0 = a0 + w * p.loadUnaligned(as: CorrVector.self)
                a1 = a1 + w * p.loadUnaligned(fromByteOffset: 64, as: CorrVector.self)
                wp += 1
            }
            src += channelStride
        }
        return (a0, a1)
    }

    /// One output element of output channel `c` in a block of `block`: the same sequence as a lane
    /// of the SIMD kernels.
    @inline(__always)
    func scalar(at origin: Int, channel c: Int, block: Int) -> Float {
        var acc: Float = 0
        var wp = weights + c
        var src = input + origin
        for _ in 0..<channels {
            for t in 0..<tapCount {
                acc = acc + wp[0] * src[taps[t]]
                wp += block
            }
            src += channelStride
        }
        return acc
    }
}

/// Weights reordered for `CorrelationJob`: per group, per block of output channels (blocks of
/// `blockWidth` first, then single channels for the remainder), laid out [cin/groups][taps][block].
/// A block of output channels inside a group: first channel, width, offset of its packed weights.
typealias CorrelationBlock = (start: Int, width: Int, offset: Int)

struct PackedCorrelationWeights {
    var data: [Float]
    /// Blocks within a group: first output channel, width, and offset from the group's start.
    var blocks: [(start: Int, width: Int, offset: Int)]
    /// Floats per group.
    var groupStride: Int

    /// `weightAt(g, co, ci, t)`: weight of output channel `co` and input channel `ci` (both counted
    /// within group `g`) at tap `t`.
    init(outPerGroup: Int, inPerGroup: Int, taps: Int, groups: Int, blockWidth: Int,
         weightAt: (_ g: Int, _ co: Int, _ ci: Int, _ t: Int) -> Float) {
        var blocks: [(start: Int, width: Int, offset: Int)] = []
        var start = 0
        while start < outPerGroup {
            let w = outPerGroup - start >= blockWidth ? blockWidth : 1
            blocks.append((start, w, start * inPerGroup * taps))
            start += w
        }
        groupStride = outPerGroup * inPerGroup * taps
        var data = [Float](repeating: 0, count: groups * groupStride)
        for g in 0..<groups {
            for b in blocks {
                var o = g * groupStride + b.offset
                for ci in 0..<inPerGroup {
                    for t in 0..<taps {
                        for c in 0..<b.width { data[o] = weightAt(g, b.start + c, ci, t); o += 1 }
                    }
                }
            }
        }
        self.data = data
        self.blocks = blocks
    }
}

/// Reads back partial sums written by `storeLanes` (lanes past `lanes` are 0 and never stored).
@inline(__always)
func detLoadLanes(_ p: UnsafePointer<Float>, lanes: Int, laneStride: Int) -> CorrVector {
    if lanes == 16 && laneStride == 1 { return UnsafeRawPointer(p).loadUnaligned(as: CorrVector.self) }
    var v = CorrVector()
    for l in 0..<lanes { v[l] = p[l * laneStride] }
    return v
}

/// Writes the raw sums of one 16-lane vector: `lanes` valid outputs `laneStride` floats apart,
/// plus the bias when there is one (`acc + bias`, the last operation of every output).
@inline(__always)
func detStoreLanes(_ v: CorrVector, to out: UnsafeMutablePointer<Float>, lanes: Int, laneStride: Int,
                bias: Float?) {
    var r = v
    if let b = bias { r = r + CorrVector(repeating: b) }
    if lanes == 16 && laneStride == 1 {
        UnsafeMutableRawPointer(out).storeBytes(of: r, as: CorrVector.self)
    } else {
        for l in 0..<lanes { out[l * laneStride] = r[l] }
    }
}

/// Where one output row of a group goes: `count` outputs `laneStride` apart, output channels
/// `channelStride` apart, the group's first output channel being `firstChannel`.
struct CorrelationRowTarget {
    var out: UnsafeMutablePointer<Float>
    var count: Int
    var laneStride: Int
    var channelStride: Int
    var bias: UnsafePointer<Float>?
    var firstChannel: Int
}

extension DeterministicKernels {
    /// Computes one output row for the given output-channel `blocks` of a group. `job` covers the
    /// group's input channels and points at the group's packed weights.
    ///
    /// SIMD: input channels are taken in chunks (32, or 64 for single-tap jobs) so that one chunk
    /// of input stays in L1 across all blocks; partial sums are stored in the output and read back
    /// exactly, so each output still sees ci ascending, taps ascending, then the bias. Scalar: each
    /// output in one pass, same order.
    static func correlateRow(_ job: CorrelationJob, rowOrigin: Int, blocks: UnsafeBufferPointer<CorrelationBlock>,
                             target t: CorrelationRowTarget, variant: KernelVariant) {
        if variant == .scalar {
            for block in blocks {
                var j = job
                j.weights = job.weights + block.offset
                for c in 0..<block.width {
                    let co = block.start + c
                    let b = t.bias?[t.firstChannel + co]
                    let dst = t.out + co * t.channelStride
                    for x in 0..<t.count {
                        let acc = j.scalar(at: rowOrigin + x, channel: c, block: block.width)
                        dst[x * t.laneStride] = b.map { acc + $0 } ?? acc
                    }
                }
            }
            return
        }
        // Strided (transposed-conv) rows are scattered stores: keep those to one pass.
        let chunk = t.laneStride != 1 ? max(1, job.channels) : job.tapCount == 1 ? 64 : 32
        var c0 = 0
        repeat {
            let cn = min(chunk, job.channels - c0)
            let first = c0 == 0, last = c0 + cn >= job.channels
            var x = 0
            while x < t.count {
                for block in blocks {
                    var j = job
                    j.input = job.input + c0 * job.channelStride
                    j.channels = cn
                    j.weights = job.weights + block.offset + c0 * job.tapCount * block.width
                    let dst = t.out + block.start * t.channelStride
                    if block.width == 4 {
                        var sub = x
                        while sub < min(t.count, x + 32) {
                            let lanes = min(16, t.count - sub)
                            let d = dst + sub * t.laneStride
                            let cs = t.channelStride, ls = t.laneStride
                            let initial = first ? (CorrVector(), CorrVector(), CorrVector(), CorrVector())
                                : (detLoadLanes(d, lanes: lanes, laneStride: ls),
                                   detLoadLanes(d + cs, lanes: lanes, laneStride: ls),
                                   detLoadLanes(d + 2 * cs, lanes: lanes, laneStride: ls),
                                   detLoadLanes(d + 3 * cs, lanes: lanes, laneStride: ls))
                            let (a0, a1, a2, a3) = j.simd4(at: rowOrigin + sub, initial)
                            let co = t.firstChannel + block.start
                            detStoreLanes(a0, to: d, lanes: lanes, laneStride: ls, bias: last ? t.bias?[co] : nil)
                            detStoreLanes(a1, to: d + cs, lanes: lanes, laneStride: ls, bias: last ? t.bias?[co + 1] : nil)
                            detStoreLanes(a2, to: d + 2 * cs, lanes: lanes, laneStride: ls, bias: last ? t.bias?[co + 2] : nil)
                            detStoreLanes(a3, to: d + 3 * cs, lanes: lanes, laneStride: ls, bias: last ? t.bias?[co + 3] : nil)
                            sub += 16
                        }
                    } else {
                        let lanes0 = min(16, t.count - x), lanes1 = max(0, min(16, t.count - x - 16))
                        let d = dst + x * t.laneStride, d1 = d + 16 * t.laneStride
                        let initial = first ? (CorrVector(), CorrVector())
                            : (detLoadLanes(d, lanes: lanes0, laneStride: t.laneStride),
                               detLoadLanes(d1, lanes: lanes1, laneStride: t.laneStride))
                        let (a0, a1) = j.simd1x2(at: rowOrigin + x, initial)
                        let b = last ? t.bias?[t.firstChannel + block.start] : nil
                        detStoreLanes(a0, to: d, lanes: lanes0, laneStride: t.laneStride, bias: b)
                        detStoreLanes(a1, to: d1, lanes: lanes1, laneStride: t.laneStride, bias: b)
                    }
                }
                x += 32
            }
            c0 += cn
        } while c0 < job.channels
    }
}

/// The buffers of one correlation pass, pinned for the duration of a `withCorrelationBuffers` body.
struct CorrelationBuffers {
    var input: UnsafePointer<Float>
    var taps: UnsafePointer<Int>
    var weights: UnsafePointer<Float>
    var blocks: UnsafeBufferPointer<CorrelationBlock>
    var bias: UnsafePointer<Float>?
    var out: UnsafeMutablePointer<Float>
}

extension DeterministicKernels {
    /// Pins `input`, `taps`, the packed weights, `bias` and `out` and passes their addresses to `body`.
    /// Empty arrays get a dummy address that is never read (a zero-tap phase reads no weights).
    static func withCorrelationBuffers(input: [Float], taps: [Int], packed: PackedCorrelationWeights,
                                       bias: [Float]?, out: inout [Float], _ body: (CorrelationBuffers) -> Void) {
        let dummyF = UnsafePointer<Float>(bitPattern: MemoryLayout<Float>.alignment)!
        let dummyI = UnsafePointer<Int>(bitPattern: MemoryLayout<Int>.alignment)!
        input.withUnsafeBufferPointer { ip in
            taps.withUnsafeBufferPointer { tp in
                packed.data.withUnsafeBufferPointer { wp in
                    packed.blocks.withUnsafeBufferPointer { bp in
                        detWithOptionalPointer(bias) { b in
                            out.withUnsafeMutableBufferPointer { op in
                                body(CorrelationBuffers(input: ip.baseAddress ?? dummyF, taps: tp.baseAddress ?? dummyI,
                                                        weights: wp.baseAddress ?? dummyF, blocks: bp, bias: b,
                                                        out: op.baseAddress!))
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Runs `body` with a pointer to `values`' elements, or nil.
@inline(__always)
func detWithOptionalPointer<R>(_ values: [Float]?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let values else { return body(nil) }
    return values.withUnsafeBufferPointer { body($0.baseAddress) }
}
