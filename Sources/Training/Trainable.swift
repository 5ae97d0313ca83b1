/// What `TrainingDriver` trains: a checkpointable trainer together with its data, one step at a
/// time. Adopting it takes a `CheckpointedTrainer` (weights, Adam, step, RNG, options) and three
/// members: the log's column names, a step, and one log row.
///
/// The driver owns everything else: the loop to `trainer.options.steps`, log.csv (`step`,
/// `seconds`, `lr`, then `logColumns`), loss.svg, progress lines, checkpoints and their
/// rotation, time limits, and stopping on a NaN loss.
public protocol Trainable: AnyObject {
    associatedtype Trainer: CheckpointedTrainer
    /// The state a checkpoint holds; the driver reads `step`, `options.steps` and `learningRate`.
    var trainer: Trainer { get }
    /// Names of the log columns after `step`, `seconds` and `lr`. Columns named `<group>_<x>`
    /// share one panel of loss.svg (e.g. `psnr_p1`, `psnr_p2`); a column named `<group>` joins it.
    var logColumns: [String] { get }
    /// Runs one optimisation step (advancing `trainer.step`) and returns its loss.
    func trainStep() throws -> Double
    /// The value of each log column since the previous row, formatted ("" for one not measured
    /// at this step), and restarts the sums. Called at logged steps only.
    func logRow() -> [String]
    /// The progress line's text after `step n/N ts` (default: every non-empty column).
    func progressText(_ row: [String]) -> String
}

extension Trainable {
    public func progressText(_ row: [String]) -> String {
        zip(logColumns, row).filter { !$0.1.isEmpty }.map { "\($0) \($1)" }.joined(separator: " ")
    }
}
