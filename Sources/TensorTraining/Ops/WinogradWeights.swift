import Foundation
import Tensor
/// The Winograd kernel transforms of one 3x3 conv weight [Cout, Cin, 3, 3], computed once and
/// reused by every convolution with that weight until the weight changes.
///
/// A training step runs the same convs many times with unchanged weights (each cascaded P-frame,
/// then each backward pass); only the optimizer step changes them. `Variable.winogradWeights()`
/// keeps one of these on the weight's `Variable`, and any write to `Variable.value` drops it, so
/// a transform can never outlive the values it was computed from. The backward closure holds the
/// object of its forward, so it uses the same weights as the forward even if they change between.
/// Getting, dropping and lazily completing them is serialised (`derivedKernelsLock`), so forward
/// passes on several threads may share frozen weights; writing a weight while another thread
/// uses it is a race, as it always was.
final class WinogradWeights {
    let cout: Int, cin: Int
    /// U = G w Gᵀ as 36 [cout][cin] planes `WinogradF43.uPlane(cout:cin:)` apart.
    let forward: [Float]
    /// The same for the flipped, transposed kernel [Cin, Cout, 3, 3] of the input gradient
    /// (`backwardDataAsConvolution`); made on first use (not every weight's input needs a gradient).
    private var flippedStorage: [Float]?

    /// The transforms of the weight at `w`, of `shape` [Cout, Cin, 3, 3].
    init(_ w: UnsafePointer<Float>, shape: [Int]) {
        precondition(shape.count == 4 && shape[2] == 3 && shape[3] == 3, "Winograd weight \(shape)")
        cout = shape[0]; cin = shape[1]
        forward = Self.transform(w, cout: cout, cin: cin)
    }

    /// Whether these are the transforms of a weight of `shape`.
    func matches(_ shape: [Int]) -> Bool { shape == [cout, cin, 3, 3] }

    /// U of the flipped, transposed kernel: 36 [cin][cout] planes `WinogradF43.uPlane(cout: cin, cin: cout)`
    /// apart. `weight` must be the value these transforms were made from (the forward's, which its
    /// backward closure holds): no reference to it is kept here, since one would make the
    /// optimizer's in-place update copy the weight.
    func flipped(of weight: Tensor) -> [Float] {
        precondition(matches(weight.shape), "Winograd weights of [\(cout), \(cin), 3, 3] for \(weight.shape)")
        derivedKernelsLock.lock()
        defer { derivedKernelsLock.unlock() }
        if let f = flippedStorage { return f }
        let f = weight.withPointer { wp in
            TrainingKernels.flippedKernel(wp, cout: cout, cin: cin, k: 3).withUnsafeBufferPointer {
                Self.transform($0.baseAddress!, cout: cin, cin: cout)
            }
        }
        flippedStorage = f
        return f
    }

    private static func transform(_ w: UnsafePointer<Float>, cout: Int, cin: Int) -> [Float] {
        var u = TrainingKernels.scratch(36 * WinogradF43.uPlane(cout: cout, cin: cin))
        u.withUnsafeMutableBufferPointer { WinogradF43.kernelTransform(w, cout: cout, cin: cin, $0.baseAddress!) }
        return u
    }
}

extension Variable {
    /// The Winograd transforms of this 3x3 weight's current value: the kept ones while `value` is
    /// unchanged, else new ones (then kept).
    func winogradWeights() -> WinogradWeights {
        derivedKernelsLock.lock()
        defer { derivedKernelsLock.unlock() }
        if let w = derivedKernels as? WinogradWeights, w.matches(value.shape) { return w }
        let w = value.withPointer { WinogradWeights($0, shape: value.shape) }
        derivedKernels = w
        return w
    }
}

/// Serialises access to `Variable.derivedKernels` and the lazy parts of what it holds (a few
/// uncontended lock operations per conv call).
let derivedKernelsLock = NSLock()
