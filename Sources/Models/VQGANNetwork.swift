/// The VQGAN encoder and decoder, written once over `LayerBackend`.
///
/// Encoder: x in [0,1] -> 2x-1 -> space-to-depth by 2 -> conv 3x3 -> per stage (residual blocks,
/// then a stride-2 conv 3x3 to the next width) -> GroupNorm, SiLU, conv 1x1 to D.
/// Decoder: the levels' codewords side by side (L·D channels, each level scaled to unit RMS,
/// zeros for levels not sent; see `ResidualQuantizer.decoderInput`) -> conv 3x3 to the widest -> per stage, coarsest first (residual blocks, then conv 3x3 to
/// 4x the next width and pixel shuffle by 2) -> GroupNorm, SiLU, conv 3x3 to 12 -> pixel shuffle
/// by 2 -> y/2 + 1/2. No layer runs at full resolution, which keeps the cost per pixel low.
public struct VQGANNetwork {
    public let config: VQConfig

    public init(config: VQConfig) { self.config = config }

    /// Image [N, 3, H, W] (H, W multiples of f) -> unnormalised latent [N, D, H/f, W/f].
    public func encode<B: LayerBackend>(_ x: B.Value, _ b: B) -> B.Value {
        let ch = config.channels
        var h = b.pixelUnshuffle(b.affine(x, scale: 2, shift: -1), factor: 2)
        h = b.conv2d(h, "encoder.conv_in", outChannels: ch[0], kernel: 3, stride: 1)
        for s in ch.indices {
            for i in 0..<config.encoderBlocks {
                h = residualBlock(h, "encoder.stage\(s).block\(i)", outChannels: ch[s], b)
            }
            if s + 1 < ch.count {
                h = b.conv2d(h, "encoder.stage\(s).down", outChannels: ch[s + 1], kernel: 3, stride: 2)
            }
        }
        h = b.silu(b.groupNorm(h, "encoder.norm_out", groups: groups(ch[ch.count - 1])))
        return b.conv2d(h, "encoder.conv_out", outChannels: config.codeDim, kernel: 1, stride: 1)
    }

    /// Per-level decoder input [N, L·D, h, w] -> image [N, 3, h f, w f] (about [0, 1]; not clamped).
    public func decode<B: LayerBackend>(_ z: B.Value, _ b: B) -> B.Value {
        let ch = config.channels
        var h = b.conv2d(z, "decoder.conv_in", outChannels: ch[ch.count - 1], kernel: 3, stride: 1)
        for s in ch.indices.reversed() {
            for i in 0..<config.decoderBlocks {
                h = residualBlock(h, "decoder.stage\(s).block\(i)", outChannels: ch[s], b)
            }
            if s > 0 {
                h = b.conv2d(h, "decoder.stage\(s).up", outChannels: 4 * ch[s - 1], kernel: 3, stride: 1)
                h = b.pixelShuffle(h, factor: 2)
            }
        }
        h = b.silu(b.groupNorm(h, "decoder.norm_out", groups: groups(ch[0])))
        h = b.conv2d(h, "decoder.conv_out", outChannels: 12, kernel: 3, stride: 1)
        return b.affine(b.pixelShuffle(h, factor: 2), scale: 0.5, shift: 0.5)
    }

    /// x + conv(silu(gn(conv(silu(gn(x)))))), 1x1 shortcut when the width changes.
    func residualBlock<B: LayerBackend>(_ x: B.Value, _ name: String, outChannels: Int, _ b: B) -> B.Value {
        let cin = b.shape(x)[1]
        var h = b.silu(b.groupNorm(x, "\(name).norm1", groups: groups(cin)))
        h = b.conv2d(h, "\(name).conv1", outChannels: outChannels, kernel: 3, stride: 1)
        h = b.silu(b.groupNorm(h, "\(name).norm2", groups: groups(outChannels)))
        h = b.conv2d(h, "\(name).conv2", outChannels: outChannels, kernel: 3, stride: 1)
        let skip = cin == outChannels ? x : b.conv2d(x, "\(name).shortcut", outChannels: outChannels, kernel: 1, stride: 1)
        return b.add(skip, h)
    }

    func groups(_ channels: Int) -> Int { min(config.groups, channels) }
}
