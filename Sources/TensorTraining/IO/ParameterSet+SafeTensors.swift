import Tensor

extension ParameterSet {
    /// The parameters' names, dtypes and shapes (what a weights file must contain).
    public var specs: [TensorSpec] { parameters.map { TensorSpec($0.name, .f32, $0.shape) } }

    /// The parameters as a safetensors file.
    public func safeTensors(metadata: [String: String] = [:]) -> SafeTensorsFile {
        SafeTensorsFile(tensors: Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, SafeTensor($0.value)) }),
                        metadata: metadata)
    }

    /// Loads every parameter from `file` after checking names, dtypes and shapes.
    public func load(_ file: SafeTensorsFile, path: String = "<memory>", allowExtra: Bool = false) throws {
        try file.validate(specs, path: path, allowExtra: allowExtra)
        for p in parameters { p.value = file.tensors[p.name]!.tensor() }
    }
}
