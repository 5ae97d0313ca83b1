import Foundation

/// An append-only CSV file; on resume, lines past the checkpoint's step are dropped so the log
/// matches the state being continued.
final class CSVLog {
    let handle: FileHandle

    init(path: String, header: String, truncateAfterStep step: Int) throws {
        var lines: [String] = [header]
        if let text = try? String(contentsOfFile: path, encoding: .utf8), step > 0 {
            for line in text.split(separator: "\n").dropFirst() {
                if let s = Int(line.split(separator: ",").first ?? ""), s <= step { lines.append(String(line)) }
            }
        }
        let body = lines.joined(separator: "\n") + "\n"
        guard FileManager.default.createFile(atPath: path, contents: Data(body.utf8)),
              let h = FileHandle(forWritingAtPath: path) else { throw DataError.cache(path: path, reason: "cannot write the CSV log") }
        h.seekToEndOfFile()
        handle = h
    }

    func append(_ line: String) throws {
        handle.write(Data((line + "\n").utf8))
    }

    deinit { try? handle.close() }
}
