import Bitstream
import Checksum
import Codec
import Models
import ModelsTraining

extension TransformerIndexPrior {
    /// A prior over an in-memory network (tests, evaluation during training); `weightRef` is the
    /// SHA-256 of the serialised weights under `fileName`.
    public convenience init(network: IndexTransformer, fileName: String = "prior.safetensors") {
        self.init(decoder: IndexTransformerDecoder(network: network), name: Self.name(for: network.config),
                  weightRef: WeightRef(name: fileName, sha256: SHA256.hash(network.weightsFile().serialized())))
    }
}
