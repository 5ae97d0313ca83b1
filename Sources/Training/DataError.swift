/// A training-data problem, naming the file and the reason.
public enum DataError: Error, CustomStringConvertible, Equatable {
    case manifest(path: String, reason: String)
    case tooShort(path: String, frames: Int, needed: Int)
    case tooSmall(path: String, width: Int, height: Int, crop: Int)
    case cache(path: String, reason: String)
    case noData(reason: String)

    public var description: String {
        switch self {
        case let .manifest(p, r): return "\(p): \(r)"
        case let .tooShort(p, f, n): return "\(p): has \(f) frames, the sampler needs \(n)"
        case let .tooSmall(p, w, h, c): return "\(p): \(w)x\(h) is smaller than the \(c) px crop"
        case let .cache(p, r): return "\(p): frame cache: \(r)"
        case let .noData(r): return "no training data: \(r)"
        }
    }
}
