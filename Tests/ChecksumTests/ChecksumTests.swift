import XCTest
@testable import Checksum

final class ChecksumTests: XCTestCase {
    func testCRC32CKnownValues() {
        XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), 0xE306_9283)
        XCTAssertEqual(CRC32C.checksum([UInt8]()), 0)
        // RFC 3720 B.4: 32 bytes of zeros.
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0, count: 32)), 0x8A91_36AA)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)), 0x62A8_AB43)
    }

    func testCRC32CIncrementalMatchesOneShot() {
        var rng = SystemRandomNumberGenerator()
        let data = (0..<1000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        for split in [0, 1, 7, 8, 9, 500, 999, 1000] {
            let c = CRC32C.update(CRC32C.checksum(data[..<split]), data[split...])
            XCTAssertEqual(c, CRC32C.checksum(data), "split \(split)")
        }
    }

    func testSHA256KnownValues() {
        XCTAssertEqual(SHA256.hex(SHA256.hash([UInt8]())),
                       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(SHA256.hash(Array("abc".utf8))),
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        XCTAssertEqual(SHA256.hex(SHA256.hash(million)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testSHA256IncrementalMatchesOneShot() {
        let data = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var h = SHA256()
        h.update(data[..<63]); h.update(data[63..<64]); h.update(data[64..<200]); h.update(data[200...])
        XCTAssertEqual(h.finalize(), SHA256.hash(data))
    }
}

/// MD5 against the RFC 1321 §A.5 test suite and `md5sum`-style streaming.
final class MD5Tests: XCTestCase {
    func testRFC1321Vectors() {
        let vectors: [(String, String)] = [
            ("", "d41d8cd98f00b204e9800998ecf8427e"),
            ("a", "0cc175b9c0f1b6a831c399e269772661"),
            ("abc", "900150983cd24fb0d6963f7d28e17f72"),
            ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
            ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
            ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
            (String(repeating: "1234567890", count: 8), "57edf4a22be3c955ac49da2e2107b67a"),
        ]
        for (text, digest) in vectors {
            XCTAssertEqual(SHA256.hex(MD5.hash(Array(text.utf8))), digest, "MD5(\"\(text)\")")
        }
    }

    func testIncrementalMatchesOneShot() {
        var rng = SystemRandomNumberGenerator()
        let data = (0..<1000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        for split in [0, 1, 55, 56, 63, 64, 65, 500, 1000] {
            var h = MD5()
            h.update(data[..<split])
            h.update(data[split...])
            XCTAssertEqual(h.finalize(), MD5.hash(data), "split \(split)")
        }
    }
}
