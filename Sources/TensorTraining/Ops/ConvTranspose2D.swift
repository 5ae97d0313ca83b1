import Tensor
/// Transposed 2-D convolution (PyTorch `conv_transpose2d`, zero padding): the input-gradient of a
/// convolution whose input is our output, so it reuses the conv kernels with roles swapped.
extension TrainingKernels {
    /// The convolution whose backward-data is this transposed convolution.
    static func transposedGeometry(input: [Int], weight: [Int], stride: Int, padding: Int, outputPadding: Int,
                                   groups: Int) -> Conv2DGeometry {
        precondition(input.count == 4 && weight.count == 4, "conv_transpose2d wants NCHW input and [Cin,Cout/g,kh,kw] weight")
        precondition(weight[0] == input[1], "conv_transpose2d: weight \(weight) for input \(input)")
        precondition(outputPadding >= 0 && outputPadding < stride, "output padding must be < stride")
        let oh = (input[2] - 1) * stride - 2 * padding + weight[2] + outputPadding
        let ow = (input[3] - 1) * stride - 2 * padding + weight[3] + outputPadding
        let g = Conv2DGeometry(input: [input[0], weight[1] * groups, oh, ow], weight: weight, stride: stride,
                               padding: padding, groups: groups)
        precondition(g.outHeight == input[2] && g.outWidth == input[3], "conv_transpose2d geometry mismatch")
        return g
    }

    /// `conv_transpose2d(x [N,Cin,H,W], weight [Cin,Cout/groups,kh,kw], bias [Cout]?)` as in PyTorch.
    public static func convTranspose2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0,
                                       outputPadding: Int = 0, groups: Int = 1) -> Tensor {
        let g = transposedGeometry(input: x.shape, weight: weight.shape, stride: stride, padding: padding,
                                   outputPadding: outputPadding, groups: groups)
        var y = Tensor.zeros([g.batch, g.inChannels, g.height, g.width])
        x.withPointer { xp in weight.withPointer { wp in y.withMutablePointer { yp in
            convBackwardData(xp, wp, yp, g)
        } } }
        if let bias { addChannelBias(&y, bias) }
        return y
    }

    /// Gradients of `convTranspose2d` with respect to input, weight and bias.
    public static func convTranspose2dBackward(_ gradOut: Tensor, input x: Tensor, weight: Tensor, stride: Int = 1,
                                               padding: Int = 0, outputPadding: Int = 0, groups: Int = 1,
                                               needInput: Bool = true, needWeight: Bool = true, needBias: Bool = true)
        -> (input: Tensor?, weight: Tensor?, bias: Tensor?) {
        let g = transposedGeometry(input: x.shape, weight: weight.shape, stride: stride, padding: padding,
                                   outputPadding: outputPadding, groups: groups)
        var dx: Tensor? = nil, dw: Tensor? = nil
        if needInput {
            var t = Tensor.make(shape: x.shape) { _ in }
            gradOut.withPointer { gp in weight.withPointer { wp in t.withMutablePointer { dp in
                convForward(gp, wp, dp, g)
            } } }
            dx = t
        }
        if needWeight {
            // In the swapped roles the conv "input" is gradOut and its "output gradient" is x.
            var t = Tensor.zeros(weight.shape)
            gradOut.withPointer { gp in x.withPointer { xp in t.withMutablePointer { dp in
                convBackwardWeight(gp, xp, dp, g)
            } } }
            dw = t
        }
        return (dx, dw, needBias ? channelSum(gradOut) : nil)
    }
}
