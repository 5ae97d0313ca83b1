import Models
import Tensor
import TensorTraining

extension TracedNetwork {
    /// Every weight of the model (encoder and decoder) from `weights`, frozen, for an encoder that
    /// runs its analysis transforms on the training kernels; `invalid` turns a reason into the
    /// model's configuration error.
    public func frozenParameters(_ weights: [String: Tensor], invalid: (String) -> Error) throws -> ParameterSet {
        let p = ParameterSet()
        for s in weightSpecs() {
            guard let w = weights[s.name], w.shape == s.shape else { throw invalid("encoder weight \(s.name): expected \(s.shape)") }
            p.add(s.name, w)
        }
        p.setTrainable(false) { _ in true }
        return p
    }
}
