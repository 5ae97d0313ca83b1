import Foundation

/// `dcvc-bench train --interleave`: our steps and PyTorch's alternate one by one, PyTorch's run by
/// a persistent `torch_twin.py --serve` process, so that each pair of steps sees the same load on a
/// busy machine (sequential runs of several seconds each can see very different loads).
extension TrainBench {
    /// The twin in serve mode: one `step` line in, one {"t": seconds} line out.
    final class TwinServer {
        let process: Process
        let input: FileHandle, output: FileHandle
        private var buffer = Data()
        private(set) var version = "?"
        /// The twin model's parameter count (nil: the twin did not say).
        private(set) var params: Int?

        init(python: String, arguments: [String], environment: [String: String]) throws {
            process = Process()
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = arguments + ["--serve"]
            process.environment = environment
            let inPipe = Pipe(), outPipe = Pipe()
            process.standardInput = inPipe; process.standardOutput = outPipe
            process.standardError = FileHandle.nullDevice
            try process.run()
            input = inPipe.fileHandleForWriting; output = outPipe.fileHandleForReading
            let ready = try reply()
            guard ready["ready"] as? Bool == true else { throw TwinError(message: "twin did not report ready") }
            version = ready["torch_version"] as? String ?? "?"
            params = (ready["params"] as? NSNumber)?.intValue
        }

        deinit {
            try? input.close()
            process.waitUntilExit()
        }

        /// Runs one PyTorch step and returns its seconds.
        func step() throws -> Double {
            input.write(Data("step\n".utf8))
            guard let t = (try reply()["t"] as? NSNumber)?.doubleValue else { throw TwinError(message: "twin step gave no time") }
            return t
        }

        private func reply() throws -> [String: Any] {
            while true {
                if let nl = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = buffer[buffer.startIndex..<nl]
                    buffer = Data(buffer[(nl + 1)...])
                    guard let obj = try? JSONSerialization.jsonObject(with: line) as? [String: Any] else {
                        throw TwinError(message: "twin printed \(String(decoding: line, as: UTF8.self))")
                    }
                    return obj
                }
                let chunk = output.availableData
                if chunk.isEmpty { throw TwinError(message: "twin exited (is python3-torch installed? scripts/install-torch.sh)") }
                buffer.append(chunk)
            }
        }
    }

    /// Times `step` and the twin's step alternately: (ours, torch) seconds per timed pair. A twin
    /// with another parameter count than `params` is not a twin: it throws before timing.
    func interleaved(_ step: () -> Float, params: Int) throws -> (ours: [Double], torch: [Double], version: String, loss: Float) {
        let server = try TwinServer(python: python, arguments: try twinArguments(), environment: twinEnvironment())
        if let e = twinParamsMismatch(server.params, ours: params) { throw e }
        for _ in 0..<warmup { _ = step(); _ = try server.step() }
        var ours: [Double] = [], torch: [Double] = [], loss: Float = 0
        for _ in 0..<steps {
            let t0 = now()
            loss = step()
            ours.append(now() - t0)
            torch.append(try server.step())
        }
        return (ours, torch, server.version, loss)
    }
}
