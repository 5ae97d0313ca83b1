@testable import TensorTraining
import XCTest
@testable import Tensor

final class SafeTensorsTests: XCTestCase {
    func sample() -> SafeTensorsFile {
        SafeTensorsFile(tensors: [
            "enc.weight": SafeTensor(Tensor(shape: [2, 3], storage: [1, -2, 3.5, 0, 1e-8, -7])),
            "cdf": SafeTensor(integers: [0, 65535, -40000, 7], shape: [2, 2], dtype: .i32),
            "q": SafeTensor(integers: [-3, 300], shape: [2], dtype: .i16),
            "bytes": SafeTensor(integers: [0, 255, 9], shape: [3], dtype: .u8),
        ], metadata: ["model": "vq \"test\"", "version": "1"])
    }

    func testRoundTripAndLayout() throws {
        let f = sample()
        let bytes = f.serialized()
        var n: UInt64 = 0
        for i in 0..<8 { n |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        XCTAssertEqual((8 + Int(n)) % 8, 0)
        let header = String(decoding: bytes[8..<8 + Int(n)], as: UTF8.self)
        XCTAssertTrue(header.contains("\"bytes\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[0,3]}"), header)
        let back = try SafeTensorsFile.parse(bytes)
        XCTAssertEqual(back, f)
        XCTAssertEqual(back.tensors["enc.weight"]!.tensor(), Tensor(shape: [2, 3], storage: [1, -2, 3.5, 0, 1e-8, -7]))
        XCTAssertEqual(back.tensors["cdf"]!.integers(), [0, 65535, -40000, 7])
        XCTAssertEqual(back.tensors["q"]!.integers(), [-3, 300])
        XCTAssertEqual(back.tensors["bytes"]!.integers(), [0, 255, 9])
        XCTAssertEqual(back.metadata["model"], "vq \"test\"")
        XCTAssertEqual(f.serialized(), back.serialized(), "serialisation is canonical")
        XCTAssertEqual(f.sha256Hex.count, 64)

        let path = NSTemporaryDirectory() + "dcvc-st-\(getpid()).safetensors"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try f.write(to: path)
        XCTAssertEqual(try SafeTensorsFile.read(from: path), f)
        XCTAssertEqual(try SafeTensorsFile.sha256Hex(ofFile: path), f.sha256Hex)
    }

    func testParsesAFileWrittenByHand() throws {
        // Header as the Python library writes it (key order and spacing differ from ours).
        let json = #"{"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}, "a":{"dtype":"I16","shape":[2],"data_offsets":[0,4]}}"#
        var bytes: [UInt8] = []
        withUnsafeBytes(of: UInt64(json.utf8.count).littleEndian) { bytes += $0 }
        bytes += Array(json.utf8) + [1, 0, 0xFF, 0xFF] + [0, 0, 0x80, 0x3F]
        let f = try SafeTensorsFile.parse(bytes)
        XCTAssertEqual(f.tensors["a"]!.integers(), [1, -1])
        XCTAssertEqual(f.tensors["b"]!.tensor().storage, [1])
    }

    func testValidationNamesTheWrongTensor() throws {
        let f = sample()
        let good = [TensorSpec("enc.weight", .f32, [2, 3]), TensorSpec("cdf", .i32, [2, 2]),
                    TensorSpec("q", .i16, [2]), TensorSpec("bytes", .u8, [3])]
        XCTAssertNoThrow(try f.validate(good))
        func expectError(_ specs: [TensorSpec], _ expected: SafeTensorsError, allowExtra: Bool = false) {
            XCTAssertThrowsError(try f.validate(specs, path: "m.safetensors", allowExtra: allowExtra)) { e in
                XCTAssertEqual(e as? SafeTensorsError, expected)
                XCTAssertTrue("\(e)".contains("m.safetensors"))
            }
        }
        var s = good; s[1].shape = [4]
        expectError(s, .shapeMismatch(path: "m.safetensors", name: "cdf", expected: [4], found: [2, 2]))
        s = good; s[2].dtype = .i32
        expectError(s, .dtypeMismatch(path: "m.safetensors", name: "q", expected: "I32", found: "I16"))
        s = good + [TensorSpec("dec.weight", .f32, [1])]
        expectError(s, .missingTensor(path: "m.safetensors", name: "dec.weight"))
        expectError(Array(good.dropLast()), .unexpectedTensor(path: "m.safetensors", name: "bytes"))
        XCTAssertNoThrow(try f.validate(Array(good.dropLast()), allowExtra: true))
    }

    func header(_ json: String) -> [UInt8] {
        var b: [UInt8] = []
        withUnsafeBytes(of: UInt64(json.utf8.count).littleEndian) { b += $0 }
        return b + Array(json.utf8)
    }

    func testMalformedFilesAreRejected() {
        let bytes = sample().serialized()
        let cases: [(String, [UInt8])] = [
            ("empty", []),
            ("truncated data", Array(bytes.dropLast(1))),
            ("trailing data", bytes + [0]),
            ("huge header length", [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0] + Array(bytes.dropFirst(8))),
            ("not json", [4, 0, 0, 0, 0, 0, 0, 0] + Array("nope".utf8)),
            ("overflowing shape", header(#"{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}}"#)),
            ("bad dtype", header(#"{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}"#) + [UInt8](repeating: 0, count: 8)),
            ("overlapping", header(#"{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U8","shape":[2],"data_offsets":[1,3]}}"#) + [1, 2, 3]),
        ]
        for (label, b) in cases {
            XCTAssertThrowsError(try SafeTensorsFile.parse(b), label) { e in
                guard case .malformed = e as? SafeTensorsError else { return XCTFail("\(label): \(e)") }
            }
        }
        XCTAssertThrowsError(try SafeTensorsFile.read(from: "/nonexistent/x.safetensors"))
    }

    func testParameterSetLoadChecksShapes() throws {
        let a = ParameterSet()
        var rng = RNG(seed: 1)
        _ = Conv2d(a, "conv", inChannels: 2, outChannels: 3, kernel: 3, rng: &rng)
        let file = a.safeTensors()
        let b = ParameterSet()
        _ = Conv2d(b, "conv", inChannels: 2, outChannels: 3, kernel: 3, rng: &rng)
        try b.load(file)
        XCTAssertEqual(b["conv.weight"]!.value, a["conv.weight"]!.value)
        let c = ParameterSet()
        _ = Conv2d(c, "conv", inChannels: 2, outChannels: 4, kernel: 3, rng: &rng)
        XCTAssertThrowsError(try c.load(file)) { e in
            XCTAssertEqual(e as? SafeTensorsError, .shapeMismatch(path: "<memory>", name: "conv.weight", expected: [4, 2, 3, 3], found: [3, 2, 3, 3]))
        }
    }
}
