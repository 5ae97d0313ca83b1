import Tensor
/// Differentiable convolutions (kernels in Conv2D.swift and ConvTranspose2D.swift).
extension Ops {
    /// PyTorch `conv2d`: x [N,Cin,H,W], weight [Cout,Cin/groups,kh,kw], bias [Cout].
    public static func conv2d(_ x: Variable, _ weight: Variable, _ bias: Variable? = nil, stride: Int = 1,
                              padding: Int = 0, paddingMode: PaddingMode = .zeros, groups: Int = 1) -> Variable {
        let xv = x.value, wv = weight.value
        // The weight's Winograd transforms are kept on it until it changes, so the convs of one
        // optimizer step (cascaded frames, their backward passes) transform each weight once.
        let geometry = Conv2DGeometry(input: xv.shape, weight: wv.shape, stride: stride, padding: padding,
                                      groups: groups, paddingMode: paddingMode)
        let winograd = TrainingKernels.usesWinograd(geometry) ? weight.winogradWeights() : nil
        let y = TrainingKernels.conv2d(xv, weight: wv, bias: bias?.value, stride: stride, padding: padding,
                                       paddingMode: paddingMode, groups: groups, winograd: winograd)
        return Variable(op: y, parents: [x, weight] + (bias.map { [$0] } ?? [])) { g in
            // Winograd's weight gradient ends in an adjoint transform that adds into its
            // destination: it goes straight into weight.grad (no zeroed temporary, no extra pass).
            let addWeightGradient = winograd != nil && weight.requiresGrad
            let grads = TrainingKernels.conv2dBackward(g, input: xv, weight: wv, stride: stride, padding: padding,
                                                       paddingMode: paddingMode, groups: groups,
                                                       needInput: x.requiresGrad,
                                                       needWeight: weight.requiresGrad && !addWeightGradient,
                                                       needBias: bias?.requiresGrad ?? false, winograd: winograd)
            if let d = grads.input { x.accumulate(d) }
            if addWeightGradient {
                weight.accumulate(adding: { dw in TrainingKernels.winogradAddWeightGradient(g, input: xv, geometry: geometry, into: dw) })
            }
            if let d = grads.weight { weight.accumulate(d) }
            if let d = grads.bias { bias!.accumulate(d) }
        }
    }

    /// PyTorch `conv_transpose2d`: x [N,Cin,H,W], weight [Cin,Cout/groups,kh,kw], bias [Cout].
    public static func convTranspose2d(_ x: Variable, _ weight: Variable, _ bias: Variable? = nil, stride: Int = 1,
                                       padding: Int = 0, outputPadding: Int = 0, groups: Int = 1) -> Variable {
        let xv = x.value, wv = weight.value
        let y = TrainingKernels.convTranspose2d(xv, weight: wv, bias: bias?.value, stride: stride, padding: padding,
                                                outputPadding: outputPadding, groups: groups)
        return Variable(op: y, parents: [x, weight] + (bias.map { [$0] } ?? [])) { g in
            let grads = TrainingKernels.convTranspose2dBackward(g, input: xv, weight: wv, stride: stride, padding: padding,
                                                                outputPadding: outputPadding, groups: groups,
                                                                needInput: x.requiresGrad, needWeight: weight.requiresGrad,
                                                                needBias: bias?.requiresGrad ?? false)
            if let d = grads.input { x.accumulate(d) }
            if let d = grads.weight { weight.accumulate(d) }
            if let d = grads.bias { bias!.accumulate(d) }
        }
    }
}
