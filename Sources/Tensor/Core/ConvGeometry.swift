/// How a convolution treats samples outside its input.
public enum PaddingMode: String, Sendable, Codable {
    /// Outside samples are zero.
    case zeros
    /// Outside samples repeat the nearest edge sample.
    case replicate
}

/// The shape arithmetic of a 2-D convolution over an NCHW input, shared by every conv kernel.
public struct Conv2DGeometry: Sendable, Equatable {
    public var batch: Int, inChannels: Int, height: Int, width: Int
    public var outChannels: Int, kernelH: Int, kernelW: Int
    public var stride: Int, padding: Int, groups: Int
    public var paddingMode: PaddingMode

    /// Geometry for input `[n, cin, h, w]` and weight `[cout, cin / groups, kh, kw]`.
    public init(input: [Int], weight: [Int], stride: Int = 1, padding: Int = 0, groups: Int = 1,
                paddingMode: PaddingMode = .zeros) {
        precondition(input.count == 4 && weight.count == 4, "conv2d wants NCHW input and OIHW weight")
        precondition(stride >= 1 && padding >= 0 && groups >= 1)
        precondition(input[1] % groups == 0 && weight[0] % groups == 0 && weight[1] * groups == input[1],
                     "conv2d channels: input \(input), weight \(weight), groups \(groups)")
        batch = input[0]; inChannels = input[1]; height = input[2]; width = input[3]
        outChannels = weight[0]; kernelH = weight[2]; kernelW = weight[3]
        self.stride = stride; self.padding = padding; self.groups = groups
        self.paddingMode = paddingMode
    }

    public var outHeight: Int { (height + 2 * padding - kernelH) / stride + 1 }
    public var outWidth: Int { (width + 2 * padding - kernelW) / stride + 1 }
    public var outputShape: [Int] { [batch, outChannels, outHeight, outWidth] }
    /// Multiply-adds per forward pass (for GFLOP/s figures, 2 FLOPs each).
    public var macs: Int { batch * outChannels * outHeight * outWidth * (inChannels / groups) * kernelH * kernelW }
}
