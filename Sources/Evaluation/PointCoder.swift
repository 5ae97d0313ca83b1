import Foundation

/// What coding one rate point produced, before it is measured.
struct CodedPoint {
    /// Bytes of the coded stream.
    var bytes: Int
    var encodeSeconds: Double
    var decodeSeconds: Double
    /// Peak resident memory of encoding and of decoding, bytes: our tools' own (GNU time), or what
    /// the in-process anchors added to the evaluator's (`ResidentMemory`); nil where unmeasured.
    var encodePeakRSS: Int? = nil
    var decodePeakRSS: Int? = nil
    /// A file holding the decoded frames, read back for measurement (deleted afterwards).
    var decodedPath: String
    /// Each frame unit's type ("I"/"P") and stored bytes, when the stream exposes them (our codec).
    var frameUnits: [(type: String, bytes: Int)]? = nil
}

/// A codec under test: codes a clip at one rate point and says how it was set up.
protocol PointCoder {
    /// Everything that decides the point's result, stored in its row to detect config changes.
    func settings(_ point: EvalPoint, frames: Int) -> String
    /// Encodes and decodes the clip, leaving temporary files in `scratch`.
    func code(_ clip: SourceClip, point: EvalPoint, frames: Int, scratch: String) throws -> CodedPoint
}
