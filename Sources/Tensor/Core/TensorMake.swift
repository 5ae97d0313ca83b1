/// Constructors and raw access used by the kernels.
extension Tensor {
    /// A tensor of `shape` whose elements `fill` writes; every element must be written.
    @inlinable
    public static func make(shape: [Int], _ fill: (UnsafeMutableBufferPointer<Float>) -> Void) -> Tensor {
        let n = shape.reduce(1, *)
        let s = [Float](unsafeUninitializedCapacity: n) { buf, c in
            fill(buf)
            c = n
        }
        return Tensor(shape: shape, storage: s)
    }

    /// A zero tensor of `shape`.
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(shape: shape, repeating: 0) }

    /// A rank-0 tensor holding `value`.
    public static func scalar(_ value: Float) -> Tensor { Tensor(shape: [], storage: [value]) }

    /// The single element of a one-element tensor.
    public var item: Float {
        precondition(count == 1, "item of a tensor with shape \(shape)")
        return storage[0]
    }

    /// Runs `body` with a read-only pointer to the elements.
    @inlinable
    public func withPointer<R>(_ body: (UnsafePointer<Float>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer { try body($0.baseAddress ?? UnsafePointer(bitPattern: 8)!) }
    }

    /// Runs `body` with a mutable pointer to the elements.
    @inlinable
    public mutating func withMutablePointer<R>(_ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        try storage.withUnsafeMutableBufferPointer { try body($0.baseAddress ?? UnsafeMutablePointer(bitPattern: 8)!) }
    }
}
