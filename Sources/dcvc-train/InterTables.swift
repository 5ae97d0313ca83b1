import Codec
import Entropy
import Foundation
import Models
import Tensor

/// The integer tables an exported inter model ships (built once here with libm; the codec never
/// rebuilds them): one Gaussian scale-table set for the MV and frame latent symbols, and one
/// zero-mean Gaussian table per hyper-latent channel at its learned scale.
enum InterTables {
    /// Tensor names (I32, `TableSerialization` layouts): those the codec reads.
    static let latentName = Codec.InterTables.latentName, mvHyperName = Codec.InterTables.mvHyperName

    /// Adds the tables to an exported weights file and describes them in its metadata.
    static func add(to file: inout SafeTensorsFile, network: InterNetwork) {
        let hyperName = Codec.InterTables.hyperName(for: network.config)
        func put(_ name: String, _ data: [Int32]) {
            file.tensors[name] = SafeTensor(integers: data.map(Int.init), shape: [data.count], dtype: .i32)
        }
        put(latentName, TableSerialization.serialize(ScaleTableSet.build(shape: .gaussian)))
        for (name, scales) in [(mvHyperName, InterNetwork.mvHyperLogScale), (hyperName, network.frameHyperLogScaleName)] {
            let logScales = file.tensors[scales]!.tensor().storage
            put(name, TableSerialization.serialize(logScales.map { hyperTable(scale: Double(Foundation.exp($0))) }))
        }
        file.metadata["tables"] = "\(latentName): gaussian ScaleTableSet (64 levels, scales 0.11-256) for q_m and q_y; "
            + "\(mvHyperName), \(hyperName): one zero-mean gaussian BoundedTable per channel at exp(log_scale)"
    }

    /// Values within 8 standard deviations (at least +-2), the rest by escape.
    static func hyperTable(scale s: Double) -> BoundedTable {
        let t = Int32(max(2, min(4096, (8 * s).rounded(.up))))
        return BoundedTable(minValue: -t, maxValue: t) { x in 0.5 * erfc(-x / (s * 2.0.squareRoot())) }
    }
}
