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
        func ints(_ name: String) throws -> [Int32] {
            guard let t = file.tensors[name] else { throw CodecError(file: path, "weight file has no table tensor \(name)") }
            guard t.dtype == .i32, t.shape.count == 1 else {
                throw CodecError(file: path, "table tensor \(name) is \(t.dtype.rawValue) \(t.shape), not a 1-D I32 tensor")
            }
            return t.integers().map { Int32(truncatingIfNeeded: $0) }
        }
        do {
            let latent = try TableSerialization.scaleTableSet(try ints(Self.latentName))
            let hyper = try TableSerialization.boundedTables(try ints(Self.hyperName))
            guard hyper.count == hyperChannels else {
                throw CodecError(file: path, "hyper-latent tables for \(hyper.count) channels, the model has \(hyperChannels)")
            }
            self.init(latent: latent, hyper: hyper)
        } catch let e as EntropyError {
            throw CodecError(file: path, "invalid entropy tables: \(e)")
        }
    }
}
