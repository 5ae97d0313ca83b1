import Foundation
@testable import TensorTraining
import XCTest
@testable import Tensor

/// Opt-in (needs Debian's python3-torch): `DCVC_TORCH_CROSSCHECK=1 swift test --filter TorchCrossCheckTests`.
/// Writes inputs and our outputs (flow warp and its gradients, bilinear resize, GroupNorm, GELU,
/// softplus, transposed and replicate-padded convs, MS-SSIM) to a safetensors file and has
/// scripts/torch_crosscheck.py recompute them with PyTorch.
final class TorchCrossCheckTests: XCTestCase {
    func testAgainstPyTorch() throws {
        guard ProcessInfo.processInfo.environment["DCVC_TORCH_CROSSCHECK"] != nil else {
            throw XCTSkip("set DCVC_TORCH_CROSSCHECK=1 to compare against PyTorch")
        }
        var f = SafeTensorsFile()
        func put(_ n: String, _ t: Tensor) { f.tensors[n] = SafeTensor(t) }
        let x = randomTensor([2, 3, 7, 9], seed: 1, 0, 1)
        var flow = randomTensor([2, 2, 7, 9], seed: 2, -3, 3)
        flow.storage[0] = -20 // far outside: border clamping
        put("x", x); put("flow", flow)
        let xv = Variable(x, requiresGrad: true), fv = Variable(flow, requiresGrad: true)
        let w = Ops.flowWarp(xv, flow: fv)
        let gw = randomTensor(w.shape, seed: 3)
        w.backward(seed: gw)
        put("gw", gw); put("warp", w.value); put("warp_dx", xv.grad!); put("warp_dflow", fv.grad!)
        put("resize_up_f", TrainingKernels.resizeBilinear(x, height: 14, width: 18))
        put("resize_up_t", TrainingKernels.resizeBilinear(x, height: 14, width: 18, alignCorners: true))
        put("resize_dn_f", TrainingKernels.resizeBilinear(x, height: 3, width: 4))
        let gamma = randomTensor([3], seed: 4), beta = randomTensor([3], seed: 5)
        put("gamma", gamma); put("beta", beta)
        put("gn", TrainingKernels.groupNorm(x, groups: 3, gamma: gamma, beta: beta, eps: 1e-5).0)
        put("gelu", UnaryFunction.gelu.apply(x))
        put("softplus", UnaryFunction.softplus.apply(TrainingKernels.affine(x, scale: 30, shift: -10)))
        let wt = randomTensor([3, 4, 4, 4], seed: 6); put("wt", wt)
        put("convt", TrainingKernels.convTranspose2d(x, weight: wt, bias: nil, stride: 2, padding: 1, outputPadding: 1))
        let wc = randomTensor([5, 3, 3, 3], seed: 7); put("wc", wc)
        put("conv_rep", TrainingKernels.conv2d(x, weight: wc, bias: nil, stride: 2, padding: 1, paddingMode: .replicate))
        let img = randomTensor([2, 3, 170, 165], seed: 8, 0, 1)
        let img2 = TrainingKernels.map2(img, randomTensor([2, 3, 170, 165], seed: 9, -0.1, 0.1), +)
        put("img", img); put("img2", img2)
        put("msssim", Tensor(shape: [1], storage: [MSSSIM()(Variable(img), Variable(img2)).value.item]))
        let path = NSTemporaryDirectory() + "dcvc-xcheck-\(getpid()).safetensors"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try f.write(to: path)

        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../scripts/torch_crosscheck.py").standardized.path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = [script, path]
        let out = Pipe()
        p.standardOutput = out; p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        print(text)
        XCTAssertEqual(p.terminationStatus, 0, text)
    }
}
