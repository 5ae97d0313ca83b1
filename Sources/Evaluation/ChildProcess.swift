import Foundation
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// One run of an external program with its wall time and peak memory, measured by the kernel.
///
/// The program runs under GNU time (`/usr/bin/time`), which forks it and reads its peak RSS from
/// `wait4`. It cannot be spawned from here directly: `posix_spawn` starts the child on this
/// process's address space (vfork), and Linux carries that address space's high-water mark into
/// the child's `ru_maxrss` at exec, so a child of a process holding 400 MB of frames would report
/// at least 400 MB. GNU time's own footprint (about 2 MB) is the floor instead.
public struct ChildRun: Sendable {
    /// Wall time from spawn to exit, seconds.
    public var seconds: Double
    /// Peak resident set size of the child, bytes (`ru_maxrss`).
    public var peakRSS: Int
    /// User plus system CPU time of the child, seconds.
    public var cpuSeconds: Double
    /// Everything the child wrote on stderr.
    public var stderr: String

    /// GNU time, which reports the child's own peak memory.
    public static let timeTool = "/usr/bin/time"

    /// Runs `executable` with `arguments`, stdin from /dev/null, stdout to `stdout` (default
    /// /dev/null) and stderr to `stderrPath`; throws when it does not exit with status 0,
    /// naming the program and the first line of its stderr.
    public static func run(_ executable: String, _ arguments: [String], stdout: String = "/dev/null",
                           stderrPath: String) throws -> ChildRun {
        let name = (executable as NSString).lastPathComponent
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw EvaluationError("\(executable) not found (build it: swift build -c release --product \(name))")
        }
        guard FileManager.default.isExecutableFile(atPath: timeTool) else {
            throw EvaluationError("\(timeTool) not found: it measures a child's peak memory (Debian: apt-get install time)")
        }
        let statsPath = stderrPath + ".time"
        defer { try? FileManager.default.removeItem(atPath: statsPath) }
        #if os(Linux)
        var actions = posix_spawn_file_actions_t()
        #else
        var actions: posix_spawn_file_actions_t?
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        // %M: peak RSS in kilobytes; %U %S: user and system CPU seconds (GNU time's own format).
        let command = [timeTool, "-f", "%M %U %S", "-o", statsPath, executable] + arguments
        let argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let start = Date()
        let rc = posix_spawn(&pid, timeTool, &actions, nil, argv, environ)
        guard rc == 0 else { throw EvaluationError("cannot start \(timeTool): \(String(cString: strerror(rc)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw EvaluationError("waiting for \(name): \(String(cString: strerror(errno)))") }
        }
        let seconds = Date().timeIntervalSince(start)
        let text = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
        let signal = status & 0x7f, code = (status >> 8) & 0xff
        guard signal == 0, code == 0 else {
            let line = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                .first { !$0.isEmpty } ?? "no message"
            throw EvaluationError("\(name) failed (\(signal != 0 ? "signal \(signal)" : "exit status \(code)")): \(line)")
        }
        // The last line is the format's; a line before it may say how the child ended.
        let stats = ((try? String(contentsOfFile: statsPath, encoding: .utf8)) ?? "")
            .split(whereSeparator: \.isNewline).last.map { $0.split(separator: " ").compactMap { Double($0) } } ?? []
        guard stats.count == 3 else { throw EvaluationError("\(timeTool) did not report on \(name) (\(statsPath))") }
        return ChildRun(seconds: seconds, peakRSS: Int(stats[0]) * 1024, cpuSeconds: stats[1] + stats[2], stderr: text)
    }
}
