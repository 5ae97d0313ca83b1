import Tensor

extension IndexTransformerConfig {
    /// Every parameter's name and shape, in a fixed order.
    public var parameterShapes: [TensorSpec] {
        let c = self
        let d = c.dModel, hid = c.hidden
        var s = [TensorSpec("embed", .f32, [c.embeddingRows, d])]
        for b in 0..<c.layers {
            let p = "blocks.\(b)."
            s += [TensorSpec(p + "ln1.weight", .f32, [d]), TensorSpec(p + "ln1.bias", .f32, [d]),
                  TensorSpec(p + "qkv.weight", .f32, [3 * d, d]), TensorSpec(p + "qkv.bias", .f32, [3 * d]),
                  TensorSpec(p + "attn_bias", .f32, [c.heads, c.offsets.count]),
                  TensorSpec(p + "proj.weight", .f32, [d, d]), TensorSpec(p + "proj.bias", .f32, [d]),
                  TensorSpec(p + "ln2.weight", .f32, [d]), TensorSpec(p + "ln2.bias", .f32, [d]),
                  TensorSpec(p + "fc1.weight", .f32, [hid, d]), TensorSpec(p + "fc1.bias", .f32, [hid]),
                  TensorSpec(p + "fc2.weight", .f32, [d, hid]), TensorSpec(p + "fc2.bias", .f32, [d])]
        }
        s += [TensorSpec("ln_f.weight", .f32, [d]), TensorSpec("ln_f.bias", .f32, [d]),
              TensorSpec("head.weight", .f32, [c.codebookSize, d]), TensorSpec("head.bias", .f32, [c.codebookSize])]
        return s
    }

    /// Reads the configuration from a weights file's metadata and checks that the file holds
    /// exactly `parameterShapes`.
    public static func validated(file: SafeTensorsFile, path: String) throws -> IndexTransformerConfig {
        guard let json = file.metadata[metadataKey] else {
            throw SafeTensorsError.malformed(path: path, reason: "no \(metadataKey) in metadata")
        }
        let config = try IndexTransformerConfig.parse(json: json)
        try config.validate()
        try file.validate(config.parameterShapes, path: path, allowExtra: false)
        return config
    }
}
