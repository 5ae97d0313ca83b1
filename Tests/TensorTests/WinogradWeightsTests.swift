@testable import TensorTraining
import XCTest
@testable import Tensor

/// The Winograd kernel transforms kept on a weight `Variable` (WinogradWeights.swift): reused
/// while the weight is unchanged, dropped by every kind of write, and never used for other
/// weights than those of the forward they came from.
final class WinogradWeightsTests: XCTestCase {
    let x = randomTensor([2, 16, 9, 7], seed: 1)

    /// A trainable 3x3 weight, the only parameter of `params`.
    func makeWeight(_ params: ParameterSet = ParameterSet()) -> Variable {
        params.add("w", randomTensor([16, 16, 3, 3], seed: 2, -0.3, 0.3))
    }

    /// The uncached kernels' forward and gradients for weight `w`, gradient `dy`.
    func reference(_ w: Tensor, _ dy: Tensor) -> (y: Tensor, dx: Tensor, dw: Tensor) {
        let y = TrainingKernels.conv2d(x, weight: w, bias: nil, padding: 1)
        let g = TrainingKernels.conv2dBackward(dy, input: x, weight: w, padding: 1, needBias: false)
        return (y, g.input!, g.weight!)
    }

    /// Ops.conv2d's forward and gradients (through the cache) for `w`'s current value.
    func cached(_ w: Variable, _ dy: Tensor) -> (y: Tensor, dx: Tensor, dw: Tensor) {
        let xv = Variable(x, requiresGrad: true)
        w.zeroGrad()
        let y = Ops.conv2d(xv, w, padding: 1)
        y.backward(seed: dy)
        return (y.value, xv.grad!, w.grad!)
    }

    func testTransformsAreKeptWhileTheWeightIsUnchanged() {
        let w = makeWeight(), xv = Variable(x)
        XCTAssertNil(w.derivedKernels)
        _ = Ops.conv2d(xv, w, padding: 1)
        let kept = w.derivedKernels as? WinogradWeights
        XCTAssertNotNil(kept)
        _ = Ops.conv2d(xv, w, padding: 1)
        XCTAssertTrue(w.derivedKernels === kept, "a second conv with the same weight transforms it again")
        // Reading the value, or copying it out and changing the copy, is no write.
        var copy = w.value
        copy.storage[0] += 1
        XCTAssertTrue(w.derivedKernels === kept)
    }

    func testEveryWriteDropsTheTransforms() {
        let w = makeWeight(), xv = Variable(x)
        let writes: [(String, () -> Void)] = [
            ("withMutablePointer", { w.value.withMutablePointer { $0[3] += 0.25 } }),
            ("storage element", { w.value.storage[5] -= 0.5 }),
            ("assignment", { w.value = randomTensor([16, 16, 3, 3], seed: 9, -0.3, 0.3) }),
            ("subscript", { w.value[0, 1, 2, 2] = 0.125 }),
        ]
        for (name, write) in writes {
            _ = Ops.conv2d(xv, w, padding: 1)
            XCTAssertNotNil(w.derivedKernels, name)
            write()
            XCTAssertNil(w.derivedKernels, "\(name) left the transforms of the old weight in place")
        }
    }

    /// Forward and gradients after each optimizer step equal the uncached kernels' on the new
    /// weight, bit for bit (the same operations on the same values); a stale transform would
    /// give the previous step's weights' output.
    func testOptimizerStepsNeverSeeAStaleTransform() {
        let params = ParameterSet(), w = makeWeight(params)
        let adam = Adam()
        let dy = randomTensor([2, 16, 9, 7], seed: 3)
        for step in 0..<3 {
            let before = w.value
            let got = cached(w, dy), want = reference(w.value, dy)
            XCTAssertTrue(got.y == want.y, "step \(step) forward")
            XCTAssertTrue(got.dx == want.dx, "step \(step) input gradient")
            XCTAssertTrue(got.dw == want.dw, "step \(step) weight gradient")
            adam.update(params, lr: 0.05)
            XCTAssertTrue(w.value != before, "the optimizer step changed nothing")
            XCTAssertNil(w.derivedKernels, "step \(step): the optimizer's write kept the old transforms")
        }
    }

    /// The backward pass uses the weights of its forward even when the weight changes in between,
    /// and the next forward uses the new weight.
    func testBackwardUsesItsForwardsWeights() {
        let w = makeWeight(), old = w.value
        let dy = randomTensor([2, 16, 9, 7], seed: 4)
        let xv = Variable(x, requiresGrad: true)
        let y = Ops.conv2d(xv, w, padding: 1)
        w.value.withMutablePointer { p in for i in 0..<16 * 16 * 9 { p[i] *= -0.5 } }
        y.backward(seed: dy)
        let want = reference(old, dy)
        XCTAssertTrue(xv.grad! == want.dx)
        XCTAssertTrue(w.grad! == want.dw)
        XCTAssertTrue(Ops.conv2d(Variable(x), w, padding: 1).value == reference(w.value, dy).y)
    }

    /// A weight used twice in one graph: both convs share one transform, and its gradient (added
    /// straight into `grad`) is the sum of the two convs' weight gradients.
    func testSharedWeightGradientsAddUp() {
        let w = makeWeight(), x2 = randomTensor([2, 16, 9, 7], seed: 6)
        let dy = randomTensor([2, 16, 9, 7], seed: 7)
        let y = Ops.conv2d(Variable(x), w, padding: 1) + Ops.conv2d(Variable(x2), w, padding: 1)
        y.backward(seed: dy)
        let a = reference(w.value, dy).dw
        let b = TrainingKernels.conv2dBackward(dy, input: x2, weight: w.value, padding: 1, needInput: false, needBias: false).weight!
        XCTAssertTrue(w.grad! == TrainingKernels.map2(a, b, +))
    }

    /// The optimizer updates the weight in place: the kept transforms hold no reference to its
    /// storage, which would make every update copy the weight first.
    func testOptimizerUpdatesInPlace() {
        let params = ParameterSet(), w = makeWeight(params)
        _ = cached(w, randomTensor([2, 16, 9, 7], seed: 5))
        XCTAssertNotNil(w.derivedKernels)
        let address = w.value.storage.withUnsafeBufferPointer { $0.baseAddress }
        Adam().update(params, lr: 0.01)
        XCTAssertTrue(w.value.storage.withUnsafeBufferPointer { $0.baseAddress } == address)
    }
}
