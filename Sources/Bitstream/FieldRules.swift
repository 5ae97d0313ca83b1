/// The character rules of `name` and `text` fields (spec §1), shared by writer and reader.
enum FieldRules {
    /// nil when `bytes` is a valid `name` of 1...`maxLength` bytes (printable ASCII, no space),
    /// else what is wrong with it.
    static func nameProblem(_ bytes: [UInt8], maxLength: Int) -> String? {
        if bytes.isEmpty { return "empty" }
        if bytes.count > maxLength { return "\(bytes.count) bytes, more than \(maxLength)" }
        if let bad = bytes.first(where: { $0 < 0x21 || $0 > 0x7E }) {
            return "byte 0x\(String(bad, radix: 16)) is not printable ASCII without space"
        }
        return nil
    }

    /// nil when `bytes` is a valid `text` of 0...`maxLength` bytes (printable ASCII, space allowed).
    static func textProblem(_ bytes: [UInt8], maxLength: Int) -> String? {
        if bytes.count > maxLength { return "\(bytes.count) bytes, more than \(maxLength)" }
        if let bad = bytes.first(where: { $0 < 0x20 || $0 > 0x7E }) {
            return "byte 0x\(String(bad, radix: 16)) is not printable ASCII"
        }
        return nil
    }

    /// The string of bytes already checked to be ASCII.
    static func string(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}
