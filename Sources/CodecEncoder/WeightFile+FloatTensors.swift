import Codec
import Tensor

extension WeightFile {
    /// Every F32 tensor of the file by name: what an encoder side (analysis, motion estimation)
    /// builds its network from; the integer tables are left out.
    func floatTensors() throws -> [String: Tensor] {
        let st = try SafeTensorsFile.parse(bytes, path: path)
        var weights: [String: Tensor] = [:]
        for (name, t) in st.tensors where t.dtype == .f32 { weights[name] = t.tensor() }
        return weights
    }
}
