/// The loss became NaN or infinite.
public struct TrainingDiverged: Error, CustomStringConvertible {
    public var step: Int, loss: Float
    public var description: String { "training diverged at step \(step) (loss \(loss))" }
}
