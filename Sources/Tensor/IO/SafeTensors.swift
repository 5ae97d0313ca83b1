import Checksum
import Foundation

/// Element types stored in `.safetensors` files by this project.
public enum SafeTensorsDType: String, Sendable, Equatable, CaseIterable {
    case f32 = "F32", i32 = "I32", i16 = "I16", u8 = "U8"

    /// Bytes per element.
    public var size: Int {
        switch self { case .f32, .i32: return 4; case .i16: return 2; case .u8: return 1 }
    }
}

/// What went wrong reading or checking a `.safetensors` file.
public enum SafeTensorsError: Error, CustomStringConvertible, Equatable {
    case io(path: String, reason: String)
    case malformed(path: String, reason: String)
    case missingTensor(path: String, name: String)
    case unexpectedTensor(path: String, name: String)
    case dtypeMismatch(path: String, name: String, expected: String, found: String)
    case shapeMismatch(path: String, name: String, expected: [Int], found: [Int])

    public var description: String {
        switch self {
        case let .io(p, r): return "\(p): \(r)"
        case let .malformed(p, r): return "\(p): not a valid safetensors file: \(r)"
        case let .missingTensor(p, n): return "\(p): tensor '\(n)' is missing"
        case let .unexpectedTensor(p, n): return "\(p): unexpected tensor '\(n)'"
        case let .dtypeMismatch(p, n, e, f): return "\(p): tensor '\(n)' has dtype \(f), expected \(e)"
        case let .shapeMismatch(p, n, e, f): return "\(p): tensor '\(n)' has shape \(f), expected \(e)"
        }
    }
}

/// One stored tensor: its type, shape and little-endian bytes.
public struct SafeTensor: Sendable, Equatable {
    public var dtype: SafeTensorsDType
    public var shape: [Int]
    public var bytes: [UInt8]

    public init(dtype: SafeTensorsDType, shape: [Int], bytes: [UInt8]) {
        precondition(bytes.count == shape.reduce(1, *) * dtype.size, "byte count for \(dtype) \(shape)")
        self.dtype = dtype; self.shape = shape; self.bytes = bytes
    }

    /// From a Float32 tensor.
    public init(_ t: Tensor) {
        self.init(dtype: .f32, shape: t.shape, bytes: t.storage.withUnsafeBytes { Array($0) })
    }

    /// From integers stored as I32, I16 or U8 (values must fit).
    public init(integers: [Int], shape: [Int], dtype: SafeTensorsDType) {
        var b: [UInt8] = []
        b.reserveCapacity(integers.count * dtype.size)
        for v in integers {
            switch dtype {
            case .i32: precondition(Int32(exactly: v) != nil); withUnsafeBytes(of: Int32(v).littleEndian) { b += $0 }
            case .i16: precondition(Int16(exactly: v) != nil); withUnsafeBytes(of: Int16(v).littleEndian) { b += $0 }
            case .u8: b.append(UInt8(v))
            case .f32: preconditionFailure("use init(_: Tensor) for F32")
            }
        }
        self.init(dtype: dtype, shape: shape, bytes: b)
    }

    /// The elements as a Float32 tensor (F32 only).
    public func tensor() -> Tensor {
        precondition(dtype == .f32, "tensor() of a \(dtype) entry")
        let n = bytes.count / 4
        let s = [Float](unsafeUninitializedCapacity: n) { buf, c in
            bytes.withUnsafeBytes { src in
                for i in 0..<n { buf[i] = Float(bitPattern: UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
            }
            c = n
        }
        return Tensor(shape: shape, storage: s)
    }

    /// The elements as integers (I32, I16, U8).
    public func integers() -> [Int] {
        bytes.withUnsafeBytes { src -> [Int] in
            switch dtype {
            case .i32: return (0..<bytes.count / 4).map { Int(Int32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self))) }
            case .i16: return (0..<bytes.count / 2).map { Int(Int16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * $0, as: Int16.self))) }
            case .u8: return bytes.map { Int($0) }
            case .f32: preconditionFailure("integers() of an F32 entry")
            }
        }
    }
}

/// The name, dtype and shape a loader expects.
public struct TensorSpec: Sendable, Equatable {
    public var name: String, dtype: SafeTensorsDType, shape: [Int]
    public init(_ name: String, _ dtype: SafeTensorsDType = .f32, _ shape: [Int]) {
        self.name = name; self.dtype = dtype; self.shape = shape
    }
}

/// A `.safetensors` file: 8-byte little-endian header length, a JSON header mapping names to
/// {dtype, shape, data_offsets} (plus an optional `__metadata__` string map), then the data.
/// Written with sorted names and a space-padded header, so equal contents give equal bytes.
public struct SafeTensorsFile: Sendable, Equatable {
    public var tensors: [String: SafeTensor]
    public var metadata: [String: String]

    public init(tensors: [String: SafeTensor] = [:], metadata: [String: String] = [:]) {
        self.tensors = tensors; self.metadata = metadata
    }

    // MARK: writing

    /// The file's bytes.
    public func serialized() -> [UInt8] {
        let names = tensors.keys.sorted()
        var json = "{"
        var entries: [String] = []
        if !metadata.isEmpty {
            let kv = metadata.keys.sorted().map { "\(SafeTensorsFile.quote($0)):\(SafeTensorsFile.quote(metadata[$0]!))" }
            entries.append("\"__metadata__\":{\(kv.joined(separator: ","))}")
        }
        var offset = 0
        for name in names {
            let t = tensors[name]!
            let shape = t.shape.map(String.init).joined(separator: ",")
            entries.append("\(SafeTensorsFile.quote(name)):{\"dtype\":\"\(t.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + t.bytes.count)]}")
            offset += t.bytes.count
        }
        json += entries.joined(separator: ",") + "}"
        var header = Array(json.utf8)
        while (8 + header.count) % 8 != 0 { header.append(0x20) }
        var out: [UInt8] = []
        out.reserveCapacity(8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { out += $0 }
        out += header
        for name in names { out += tensors[name]!.bytes }
        return out
    }

    /// Writes atomically (temporary file, then rename).
    public func write(to path: String) throws {
        let tmp = path + ".tmp-\(getpid())"
        let data = Data(serialized())
        do {
            try data.write(to: URL(fileURLWithPath: tmp))
            guard rename(tmp, path) == 0 else {
                throw SafeTensorsError.io(path: path, reason: "cannot rename \(tmp) into place: errno \(errno)")
            }
        } catch let e as SafeTensorsError {
            try? FileManager.default.removeItem(atPath: tmp)
            throw e
        } catch {
            try? FileManager.default.removeItem(atPath: tmp)
            throw SafeTensorsError.io(path: path, reason: "cannot write: \(error.localizedDescription)")
        }
    }

    static func quote(_ s: String) -> String {
        var r = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": r += "\\\""
            case "\\": r += "\\\\"
            case "\n": r += "\\n"
            case "\r": r += "\\r"
            case "\t": r += "\\t"
            default:
                if u.value < 0x20 { r += String(format: "\\u%04x", u.value) } else { r.unicodeScalars.append(u) }
            }
        }
        return r + "\""
    }

    // MARK: reading

    /// Reads and parses a file.
    public static func read(from path: String) throws -> SafeTensorsFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SafeTensorsError.io(path: path, reason: "cannot read file")
        }
        return try parse([UInt8](data), path: path)
    }

    /// Parses the bytes of a file (`path` only labels errors).
    public static func parse(_ bytes: [UInt8], path: String = "<memory>") throws -> SafeTensorsFile {
        func bad(_ r: String) -> SafeTensorsError { .malformed(path: path, reason: r) }
        guard bytes.count >= 8 else { throw bad("shorter than the 8-byte header length") }
        var n: UInt64 = 0
        for i in 0..<8 { n |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard n <= UInt64(bytes.count - 8) else { throw bad("header length \(n) exceeds file size \(bytes.count)") }
        let headerEnd = 8 + Int(n)
        let obj: Any
        do { obj = try JSONSerialization.jsonObject(with: Data(bytes[8..<headerEnd])) }
        catch { throw bad("header is not JSON") }
        guard let dict = obj as? [String: Any] else { throw bad("header is not a JSON object") }
        var file = SafeTensorsFile()
        var ranges: [(Int, Int, String)] = []
        let dataCount = bytes.count - headerEnd
        // A cut-off file: the header's offsets reach past the end. Said once, before any entry.
        let claimed = dict.values.compactMap { (($0 as? [String: Any])?["data_offsets"] as? [Any])?.last as? NSNumber }
        if let end = claimed.map(\.intValue).max(), end > dataCount {
            throw bad("truncated: the header's tensors need \(end) data bytes, the file has \(dataCount)")
        }
        for name in dict.keys.sorted() {
            let value = dict[name]!
            if name == "__metadata__" {
                guard let m = value as? [String: Any] else { throw bad("__metadata__ is not an object") }
                for (k, v) in m {
                    guard let s = v as? String else { throw bad("__metadata__ value for '\(k)' is not a string") }
                    file.metadata[k] = s
                }
                continue
            }
            guard let e = value as? [String: Any], let ds = e["dtype"] as? String,
                  let shapeAny = e["shape"] as? [Any], let offAny = e["data_offsets"] as? [Any], offAny.count == 2
            else { throw bad("entry '\(name)' lacks dtype, shape or data_offsets") }
            guard let dtype = SafeTensorsDType(rawValue: ds) else { throw bad("entry '\(name)' has unsupported dtype \(ds)") }
            let shape = try shapeAny.map { v -> Int in
                guard let i = (v as? NSNumber)?.intValue, i >= 0 else { throw bad("entry '\(name)' has a bad shape") }
                return i
            }
            guard let lo = (offAny[0] as? NSNumber)?.intValue, let hi = (offAny[1] as? NSNumber)?.intValue,
                  0 <= lo, lo <= hi, hi <= dataCount
            else { throw bad("entry '\(name)' has data_offsets outside the data (\(dataCount) bytes)") }
            // Overflow-checked element count: a hostile shape must not trap.
            var bytesNeeded = dtype.size
            for d in shape {
                let (v, o) = bytesNeeded.multipliedReportingOverflow(by: d)
                guard !o else { throw bad("entry '\(name)' has an impossibly large shape \(shape)") }
                bytesNeeded = v
            }
            guard hi - lo == bytesNeeded
            else { throw bad("entry '\(name)' has \(hi - lo) bytes for \(ds) \(shape)") }
            ranges.append((lo, hi, name))
            file.tensors[name] = SafeTensor(dtype: dtype, shape: shape, bytes: Array(bytes[(headerEnd + lo)..<(headerEnd + hi)]))
        }
        // The format forbids overlapping or gapped buffers.
        ranges.sort { $0.0 < $1.0 }
        var expect = 0
        for (lo, hi, name) in ranges {
            guard lo == expect else { throw bad("entry '\(name)' data does not follow the previous entry") }
            expect = hi
        }
        guard expect == dataCount else { throw bad("\(dataCount - expect) trailing bytes after the data") }
        return file
    }

    /// Checks that the file holds exactly `specs` (names, dtypes, shapes); the first problem found,
    /// in the order of `specs`, is thrown naming the tensor.
    public func validate(_ specs: [TensorSpec], path: String = "<memory>", allowExtra: Bool = false) throws {
        for s in specs {
            guard let t = tensors[s.name] else { throw SafeTensorsError.missingTensor(path: path, name: s.name) }
            if t.dtype != s.dtype {
                throw SafeTensorsError.dtypeMismatch(path: path, name: s.name, expected: s.dtype.rawValue, found: t.dtype.rawValue)
            }
            if t.shape != s.shape { throw SafeTensorsError.shapeMismatch(path: path, name: s.name, expected: s.shape, found: t.shape) }
        }
        if !allowExtra {
            let known = Set(specs.map(\.name))
            if let extra = tensors.keys.sorted().first(where: { !known.contains($0) }) {
                throw SafeTensorsError.unexpectedTensor(path: path, name: extra)
            }
        }
    }

    /// The SHA-256 of the serialized file, hex: the model id bitstreams name.
    public var sha256Hex: String { SHA256.hex(SHA256.hash(serialized())) }

    /// The SHA-256 (hex) of a file on disk.
    public static func sha256Hex(ofFile path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SafeTensorsError.io(path: path, reason: "cannot read file")
        }
        return SHA256.hex(SHA256.hash([UInt8](data)))
    }
}
