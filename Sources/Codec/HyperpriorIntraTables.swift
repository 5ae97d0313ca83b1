import Entropy
import Tensor

/// The integer tables a hyperprior intra model ships in its weight file (spec/hyperprior.md §3.2),
/// read as stored: the Gaussian scale-table set of the latent residuals (the P-frame model's
/// layout, tensor `tables.latent`) and one zero-centred table per hyper-latent channel.
public struct HyperpriorIntraTables: Equatable {
    /// Tensor names in the weight file (I32, `TableSerialization` layouts).
    public static let latentName = InterTables.latentName, hyperName = "tables.hyper"

    public let latent: ScaleTableSet
    public let hyper: BoundedTableBank

    public init(latent: ScaleTableSet, hyper: [BoundedTable]) {
        self.latent = latent
        self.hyper = BoundedTableBank(hyper)
    }

    /// Reads the two table tensors of `file`, checking the hyper-latent list against `hyperChannels`.
    public init(file: SafeTensorsFile, hyperChannels: Int, path: String) throws {
        func ints(_ name: String) throws -> [Int32] { try TableTensors.integers(name, in: file, path: path) }
        let (latent, hyper) = try TableTensors.reading(path: path) {
            (try TableSerialization.scaleTableSet(try ints(Self.latentName)), try TableSerialization.boundedTables(try ints(Self.hyperName)))
        }
        guard hyper.count == hyperChannels else {
            throw CodecError(file: path, "hyper-latent tables for \(hyper.count) channels, the model has \(hyperChannels)")
        }
        self.init(latent: latent, hyper: hyper)
    }
}
