import Bitstream
import Codec
import CodecEncoder
import Entropy
import Foundation
import Tensor

/// A tiny stand-in P-frame model for pipeline tests: each 16 x 16 block's mean colour change from
/// the reference, quantized with a step set by the rate point; the MV symbols are all zero and
/// only scale the context by a hair, the hyper-latents carry each 64 x 64 block's mean magnitude.
/// Plain Float loops, so any machine gives the same bits.
final class BlockShiftInterModel: InterEncodingModel {
    let modelName = "test-blockshift"
    let weightRef = WeightRef(name: "shift.safetensors", sha256: [UInt8](repeating: 9, count: 32))
    let lambdas = [256, 512, 1024, 2048]
    let channels = InterChannels(mvHyper: 1, mvLatent: 2, hyper: 1, latent: 3)
    let tables: InterTables

    init() {
        func hyper() -> BoundedTable {
            let p = (-8...8).map { exp(-Double($0 * $0) / 8) }
            let sum = p.reduce(0, +)
            return BoundedTable(minValue: -8, probabilities: p.map { 0.999 * $0 / sum })
        }
        tables = InterTables(latent: ScaleTableSet.build(shape: .gaussian), mvHyper: [hyper()], frameHyper: [hyper()])
    }

    private func step(_ rate: Int) -> Float { 1 / Float(8 << rate) }

    /// `x` [1, c, h, w] repeated `f` times along both axes (nearest).
    private func upsampled(_ x: Tensor, _ f: Int) -> Tensor {
        let c = x.shape[1], h = x.shape[2], w = x.shape[3]
        var out = Tensor(shape: [1, c, h * f, w * f])
        for ch in 0..<c { for y in 0..<(h * f) { for xx in 0..<(w * f) { out[0, ch, y, xx] = x[0, ch, y / f, xx / f] } } }
        return out
    }

    func mvParameters(zm: Tensor) -> (mean: Tensor, scale: Tensor) {
        let u = upsampled(zm, 4)
        var mean = Tensor(shape: [1, 2, u.shape[2], u.shape[3]]), scale = mean
        for i in 0..<u.count { for c in 0..<2 { mean.storage[c * u.count + i] = u.storage[i] * 0.25; scale.storage[c * u.count + i] = 1 + abs(u.storage[i]) } }
        return (mean, scale)
    }

    func context(reference: Tensor, mHat: Tensor, mvRate: Int) -> Tensor {
        let m = upsampled(mHat, 16), plane = reference.shape[2] * reference.shape[3]
        var ctx = reference
        for c in 0..<3 { for i in 0..<plane { ctx.storage[c * plane + i] += 0.001 * m.storage[i] } }
        return ctx
    }

    func frameParameters(z: Tensor, context: Tensor) -> (mean: Tensor, scale: Tensor) {
        let u = upsampled(z, 4)
        var scale = Tensor(shape: [1, 3, u.shape[2], u.shape[3]])
        for c in 0..<3 { for i in 0..<u.count { scale.storage[c * u.count + i] = 0.5 + abs(u.storage[i]) } }
        return (Tensor(shape: scale.shape), scale)
    }

    func reconstruct(yHat: Tensor, context: Tensor, rate: Int) -> Tensor {
        let u = upsampled(yHat, 16)
        var out = context
        for i in 0..<out.count { out.storage[i] += u.storage[i] * step(rate) }
        return out
    }

    func analyze(frame: Tensor, reference: Tensor, rate: Int, mvRate: Int) -> (symbols: InterFrameSymbols, mvScale: Tensor, frameScale: Tensor) {
        let h = frame.shape[2], w = frame.shape[3]
        let zm = Tensor(shape: [1, 1, h / 64, w / 64]), qm = Tensor(shape: [1, 2, h / 16, w / 16])
        let mv = mvParameters(zm: zm)
        let ctx = context(reference: reference, mHat: qm, mvRate: mvRate)
        var qy = Tensor(shape: [1, 3, h / 16, w / 16]), z = Tensor(shape: [1, 1, h / 64, w / 64])
        for c in 0..<3 {
            for by in 0..<(h / 16) {
                for bx in 0..<(w / 16) {
                    var s: Float = 0
                    for y in 0..<16 { for x in 0..<16 { s += frame[0, c, by * 16 + y, bx * 16 + x] - ctx[0, c, by * 16 + y, bx * 16 + x] } }
                    qy[0, c, by, bx] = (s / 256 / step(rate)).rounded()
                    z[0, 0, by / 4, bx / 4] = min(8, max(z[0, 0, by / 4, bx / 4], (abs(qy[0, c, by, bx]) / 4).rounded()))
                }
            }
        }
        return (InterFrameSymbols(zm: zm, qm: qm, z: z, qy: qy), mv.scale, frameParameters(z: z, context: ctx).scale)
    }
}
