/// The I-frame model a stream is decoded (and encoded) with: an RVQ tokenizer whose indices are
/// coded per level, with an optional learned index prior (spec/intra.md), or the hyperprior codec,
/// whose latents are coded under the scales its hyper-latents give (spec/hyperprior.md).
public enum IntraModel {
    case tokenizer(IntraTokenizer, prior: IndexPrior?)
    case hyperprior(HyperpriorIntraModel)

    /// The registry name (`intra_model`).
    public var modelName: String {
        switch self {
        case .tokenizer(let t, _): return t.modelName
        case .hyperprior(let m): return m.modelName
        }
    }
}
