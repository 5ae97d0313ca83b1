import Tensor

/// A codec network written once over `LayerBackend` whose weights are known by tracing it on
/// `ShapeBackend`: a decode path and an encoder-only part, plus factorized hyper-latent
/// log-scales read outside the layers. Gives the weight list, the decoder's subset, and the
/// checked decode-path weights a deterministic decoder runs on.
public protocol TracedNetwork {
    /// Shape traces of the decode path and of the encoder-only part, at a small frame size.
    func traced() -> (decoder: ShapeBackend, encoder: ShapeBackend)
    /// Weights outside the traced layers (the factorized hyper-latent log-scales).
    var factorizedSpecs: [TensorSpec] { get }
}

extension TracedNetwork {
    /// Every weight of the model (decode path first, then encoder only), with the factorized
    /// hyper-latent log-scales last.
    public func weightSpecs() -> [TensorSpec] {
        tracedWeights().map { TensorSpec($0.name, .f32, $0.shape) } + factorizedSpecs
    }

    /// Traced weights with their initialisation roles, each once (parameter registration).
    public func tracedWeights() -> [(name: String, shape: [Int], role: ShapeBackend.Role)] {
        let (d, e) = traced()
        var all = d.weights
        for w in e.weights where !all.contains(where: { $0.name == w.name }) { all.append(w) }
        return all
    }

    /// Names of the weights the decoder reads (the decode path and the factorized log-scales).
    public func decoderWeightNames() -> Set<String> {
        Set(traced().decoder.weights.map(\.name) + factorizedSpecs.map(\.name))
    }

    /// The decode-path weights among `weights`, each checked against its traced shape;
    /// `invalid` turns a reason into the model's configuration error.
    public func checkedDecoderWeights(_ weights: [String: Tensor], invalid: (String) -> Error) throws -> [String: Tensor] {
        let names = decoderWeightNames()
        for s in weightSpecs() where names.contains(s.name) {
            guard let w = weights[s.name], w.shape == s.shape else {
                throw invalid("weight \(s.name): expected \(s.shape), got \(weights[s.name]?.shape.description ?? "none")")
            }
        }
        return weights.filter { names.contains($0.key) }
    }

    /// The decode-path tensors of a weights file (unchecked: `checkedDecoderWeights` checks them).
    public func decoderWeights(in file: SafeTensorsFile) -> [String: Tensor] {
        let names = decoderWeightNames()
        var w: [String: Tensor] = [:]
        for (name, t) in file.tensors where names.contains(name) { w[name] = t.tensor() }
        return w
    }
}
