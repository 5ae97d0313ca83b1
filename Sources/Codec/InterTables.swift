import Entropy
import Models
import Tensor

/// The integer tables a P-frame model ships in its weight file (spec/inter.md §3.2), read as
/// stored: nothing is rebuilt from floats at decode time.
public struct InterTables: Equatable {
    /// Tensor names in the weight file (I32, `TableSerialization` layouts).
    public static let latentName = "tables.latent", mvHyperName = "tables.mv_hyper", frameHyperName = "tables.frame_hyper"
    /// The residual (`inter-dvc`) model's hyper-latent tables, in place of `frameHyperName`
    /// (spec/inter-residual.md).
    public static let residualHyperName = "tables.res_hyper"

    /// The scale table set of the MV and frame latent residuals.
    public let latent: ScaleTableSet
    /// One zero-centred table per channel of the MV hyper-latents and of the frame hyper-latents.
    public let mvHyper: BoundedTableBank
    public let frameHyper: BoundedTableBank

    public init(latent: ScaleTableSet, mvHyper: [BoundedTable], frameHyper: [BoundedTable]) {
        self.latent = latent
        self.mvHyper = BoundedTableBank(mvHyper)
        self.frameHyper = BoundedTableBank(frameHyper)
    }

    /// The name of the frame (residual mode: residual) hyper-latent tables of a model `config`.
    public static func hyperName(for config: InterConfig) -> String { config.isResidual ? residualHyperName : frameHyperName }

    /// Reads the three table tensors of `file`, checking the per-channel lists against `config`.
    public init(file: SafeTensorsFile, config: InterConfig, path: String) throws {
        let channels = InterChannels(config), frameHyper = Self.hyperName(for: config)
        func ints(_ name: String) throws -> [Int32] { try TableTensors.integers(name, in: file, path: path) }
        let (latent, mv, fr) = try TableTensors.reading(path: path) {
            (try TableSerialization.scaleTableSet(try ints(Self.latentName)),
             try TableSerialization.boundedTables(try ints(Self.mvHyperName)),
             try TableSerialization.boundedTables(try ints(frameHyper)))
        }
        guard mv.count == channels.mvHyper, fr.count == channels.hyper else {
            throw CodecError(file: path, "hyper-latent tables for \(mv.count)/\(fr.count) channels, the model has \(channels.mvHyper)/\(channels.hyper)")
        }
        self.init(latent: latent, mvHyper: mv, frameHyper: fr)
    }
}
