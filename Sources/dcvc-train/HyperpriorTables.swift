import Entropy
import Foundation
import Models
import Tensor

/// The integer tables an exported hyperprior intra model ships (built once here with libm; the
/// codec never rebuilds them): the P-frame model's Gaussian scale-table set for the latent symbols
/// (same name and content as `InterTables.latentName`), and one zero-mean Gaussian table per
/// hyper-latent channel at its learned scale (built as the P-frame model's are).
enum HyperpriorTables {
    /// Tensor names (I32, `TableSerialization` layouts).
    static let latentName = InterTables.latentName, hyperName = "tables.hyper"

    /// Adds the tables to an exported weights file and describes them in its metadata.
    static func add(to file: inout SafeTensorsFile) {
        func put(_ name: String, _ data: [Int32]) {
            file.tensors[name] = SafeTensor(integers: data.map(Int.init), shape: [data.count], dtype: .i32)
        }
        put(latentName, TableSerialization.serialize(ScaleTableSet.build(shape: .gaussian)))
        let logScales = file.tensors[HyperpriorNetwork.hyperLogScale]!.tensor().storage
        put(hyperName, TableSerialization.serialize(logScales.map { InterTables.hyperTable(scale: Double(Foundation.exp($0))) }))
        file.metadata["tables"] = "\(latentName): gaussian ScaleTableSet (64 levels, scales 0.11-256) for q_y; "
            + "\(hyperName): one zero-mean gaussian BoundedTable per channel at exp(log_scale)"
    }
}
