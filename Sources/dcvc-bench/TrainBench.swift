import ArgumentParser
import Foundation
import Tensor
import TensorTraining

/// `dcvc-bench train`: step time (forward + backward + Adam) of a small VQGAN-style conv
/// encoder/decoder (`--model reference`) or of the DCVC P-frame model's stage-4 step
/// (`--model inter`, TrainBench+Inter.swift), against the same model in PyTorch CPU run as a
/// subprocess in the same invocation (scripts/torch_twin.py or scripts/torch_inter_twin.py under
/// Debian's /usr/bin/python3).
struct TrainBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Training step time of the reference model or the P-frame model, ours vs PyTorch CPU (ratio = torch / ours).")

    @Option(help: "Model: reference (small VQGAN-style autoencoder) or inter (the P-frame model's stage-4 step).")
    var model: TrainBenchModel = .reference
    @Option(help: "Batch size (default 8 for reference, 4 for inter).") var batch: Int?
    @Option(help: "Square crop size in pixels (default 64 for reference, 128 for inter).") var crop: Int?
    @Option(help: "Cascaded P-frames per step (--model inter).") var pFrames = 6
    @Option(help: "Timed steps (the best is the headline figure, the median is printed too).") var steps = 5
    @Option(help: "Untimed warm-up steps.") var warmup = 2
    @Option(help: "Threads for both implementations.") var threads = 2
    @Option(help: "Python interpreter that has torch (Debian's python3-torch).") var python = "/usr/bin/python3"
    @Option(help: "Path of the PyTorch twin script.") var twin: String?
    @Flag(help: "Skip the PyTorch run.") var noTorch = false
    @Flag(help: "Run PyTorch with OMP_WAIT_POLICY=PASSIVE (fairer to it on a busy machine, where OpenMP spin-waiting costs it dearly).")
    var torchPassiveWait = false
    @Flag(help: "Alternate our steps with PyTorch's one by one (a persistent twin process), so each pair sees the same load; also prints the median per-pair ratio.")
    var interleave = false
    @Flag(help: "Also print training-path conv GFLOP/s next to sgemm.") var convs = false
    @Option(help: .hidden) var band: Int?
    @Option(help: .hidden) var winogradBlock: Int?
    @Flag(help: "Run our 3x3 stride-1 convolutions on the im2col path instead of Winograd (A/B).") var noWinograd = false
    @Flag(help: "Leave glibc's malloc thresholds alone (A/B for TrainingKernels.retainFreedMemory).") var defaultMalloc = false
    @Flag(help: "Print JSON {ours_step_s, torch_step_s, ratio}.") var json = false

    func run() throws {
        TrainingKernels.threads = threads
        if let band { TrainingKernels.im2colBandFloats = band }
        TrainingKernels.winogradEnabled = !noWinograd
        if !defaultMalloc { TrainingKernels.retainFreedMemory() }
        if let winogradBlock { TrainingKernels.winogradBlockBytes = winogradBlock }
        let subject = model == .inter ? try interSubject() : referenceSubject()
        let step = subject.step
        let waitNote = torchPassiveWait ? ", OMP_WAIT_POLICY=PASSIVE" : ""
        var times: [Double] = [], torchTimes: [Double] = []
        var lastLoss: Float = 0
        var torchNote = "skipped (--no-torch)"
        if interleave && !noTorch {
            do {
                let r = try interleaved(step, params: subject.params)
                times = r.ours; torchTimes = r.torch; lastLoss = r.loss
                torchNote = "torch \(r.version), interleaved" + waitNote
            } catch { torchNote = "unavailable: \(error)" }
        }
        if times.isEmpty {
            for _ in 0..<warmup { _ = step() }
            for _ in 0..<steps {
                let t0 = now()
                lastLoss = step()
                times.append(now() - t0)
            }
        }
        // Median of the per-pair ratios (interleaved runs only): each pair saw the same load.
        let pairRatios = zip(torchTimes, times).map { $0 / $1 }.sorted()
        let pairRatio = pairRatios.isEmpty ? nil : pairRatios[pairRatios.count / 2]
        times.sort(); torchTimes.sort()
        // Best step as the headline (least disturbed by other load), median beside it.
        let ours = times[0], oursMedian = times[times.count / 2]

        var torchStep = torchTimes.first, torchMedian = torchTimes.isEmpty ? nil : torchTimes[torchTimes.count / 2]
        if !noTorch && !interleave {
            switch runTwin(params: subject.params) {
            case .success(let (t, m, version)):
                torchStep = t; torchMedian = m
                torchNote = "torch \(version)" + waitNote
            case .failure(let e): torchNote = "unavailable: \(e.message)"
            }
        }
        let ratio = torchStep.map { $0 / ours }

        if json {
            var obj: [String: Any] = ["ours_step_s": ours, "batch": batchSize, "crop": cropSize, "threads": threads,
                                      "params": subject.params, "torch": torchNote, "model": model.rawValue]
            if model == .inter { obj["p_frames"] = pFrames }
            obj["torch_step_s"] = torchStep ?? NSNull()
            obj["ours_median_s"] = oursMedian
            obj["torch_median_s"] = torchMedian ?? NSNull()
            obj["ratio"] = ratio ?? NSNull()
            obj["pair_ratio_median"] = pairRatio ?? NSNull()
            let data = try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("\(subject.summary): \(subject.params) parameters, batch \(batchSize), crop \(cropSize), \(threads) threads, "
                  + "3x3 convs \(noWinograd ? "im2col" : "winograd")")
            print(String(format: "ours:  %.4f s/step (best of %d; median %.4f; loss %.5f)", ours, steps, oursMedian, lastLoss))
            if let t = torchStep, let r = ratio {
                print(String(format: "torch: %.4f s/step (best of %d; median %.4f; %@)", t, steps, torchMedian ?? .nan, torchNote))
                print(String(format: "ratio torch/ours: %.3f (best/best; >= 1 means ours is at least as fast)", r))
                if let pairRatio { print(String(format: "ratio torch/ours per interleaved pair: median %.3f", pairRatio)) }
            } else {
                print("torch: \(torchNote)")
            }
        }
        if convs { ConvReport.run(threads: threads) }
    }

    struct TwinError: Error { var message: String }

    /// What is timed: one training step (returning its loss), the parameter count, a label.
    struct Subject {
        var step: () -> Float
        var params: Int
        var summary: String
    }

    var batchSize: Int { batch ?? (model == .inter ? 4 : 8) }
    var cropSize: Int { crop ?? (model == .inter ? 128 : 64) }

    /// The reference autoencoder's step on a fixed random batch (MSE to itself, Adam).
    func referenceSubject() -> Subject {
        let net = ReferenceModel(seed: 0)
        var rng = RNG(seed: 1)
        let x = rng.uniformTensor([batchSize, 3, cropSize, cropSize])
        let adam = Adam()
        return Subject(step: {
            net.params.zeroGrad()
            let loss = Ops.mse(net(Variable(x)), Variable(x))
            loss.backward()
            adam.update(net.params, lr: 1e-4)
            return loss.value.item
        }, params: net.params.scalarCount, summary: "reference model")
    }

    /// The twin script and its arguments (without --serve).
    func twinArguments() throws -> [String] {
        let name = model == .inter ? "torch_inter_twin.py" : "torch_twin.py"
        let candidates = [twin, "scripts/\(name)",
                          URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                              .appendingPathComponent("../../scripts/\(name)").standardized.path].compactMap { $0 }
        guard let script = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw TwinError(message: "twin script not found (tried \(candidates.joined(separator: ", ")))")
        }
        return [script, "--batch", "\(batchSize)", "--crop", "\(cropSize)", "--steps", "\(steps)",
                "--warmup", "\(warmup)", "--threads", "\(threads)"] + (model == .inter ? ["--p-frames", "\(pFrames)"] : [])
    }

    /// The twin's environment: OpenMP threads, and the wait policy asked for.
    func twinEnvironment() -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["OMP_NUM_THREADS"] = "\(threads)"
        if torchPassiveWait { env["OMP_WAIT_POLICY"] = "PASSIVE" }
        return env
    }

    /// The error when the twin reported a parameter count other than ours (its model is not ours).
    func twinParamsMismatch(_ twinParams: Int?, ours: Int) -> TwinError? {
        guard let t = twinParams, t != ours else { return nil }
        return TwinError(message: "the twin has \(t) parameters, ours \(ours): it does not mirror the model")
    }

    func runTwin(params: Int) -> Result<(Double, Double, String), TwinError> {
        let arguments: [String]
        do { arguments = try twinArguments() } catch let e as TwinError { return .failure(e) } catch { return .failure(TwinError(message: "\(error)")) }
        let script = arguments[0]
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = arguments
        p.environment = twinEnvironment()
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        do { try p.run() } catch {
            return .failure(TwinError(message: "cannot run \(python): \(error.localizedDescription) (install with scripts/install-torch.sh)"))
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            let tail = String(decoding: stderr, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
            return .failure(TwinError(message: "\(python) \(script) exited \(p.terminationStatus): \(tail) (install torch with scripts/install-torch.sh)"))
        }
        guard let line = String(decoding: stdout, as: UTF8.self).split(separator: "\n").last,
              let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let t = (obj["torch_step_s"] as? NSNumber)?.doubleValue
        else { return .failure(TwinError(message: "twin printed no torch_step_s")) }
        if let e = twinParamsMismatch((obj["params"] as? NSNumber)?.intValue, ours: params) { return .failure(e) }
        let median = (obj["torch_median_s"] as? NSNumber)?.doubleValue ?? t
        return .success((t, median, obj["torch_version"] as? String ?? "?"))
    }
}

/// Monotonic seconds.
func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// The reference model (mirrored by scripts/torch_twin.py): a small VQGAN-style autoencoder.
final class ReferenceModel {
    let params = ParameterSet()
    let convIn: Conv2d, enc1: ResBlock, down1: Conv2d, enc2: ResBlock, down2: Conv2d, enc3: ResBlock
    let encNorm: GroupNorm, toLatent: Conv2d, fromLatent: Conv2d
    let dec1: ResBlock, up1: Conv2d, dec2: ResBlock, up2: Conv2d, dec3: ResBlock, decNorm: GroupNorm, convOut: Conv2d

    init(seed: UInt64, ch: Int = 64, latent: Int = 16) {
        var rng = RNG(seed: seed)
        let c2 = 2 * ch
        convIn = Conv2d(params, "conv_in", inChannels: 3, outChannels: ch, kernel: 3, rng: &rng)
        enc1 = ResBlock(params, "enc1", inChannels: ch, outChannels: ch, rng: &rng)
        down1 = Conv2d(params, "down1", inChannels: ch, outChannels: ch, kernel: 3, stride: 2, rng: &rng)
        enc2 = ResBlock(params, "enc2", inChannels: ch, outChannels: c2, rng: &rng)
        down2 = Conv2d(params, "down2", inChannels: c2, outChannels: c2, kernel: 3, stride: 2, rng: &rng)
        enc3 = ResBlock(params, "enc3", inChannels: c2, outChannels: c2, rng: &rng)
        encNorm = GroupNorm(params, "enc_norm", groups: 32, channels: c2)
        toLatent = Conv2d(params, "to_latent", inChannels: c2, outChannels: latent, kernel: 3, rng: &rng)
        fromLatent = Conv2d(params, "from_latent", inChannels: latent, outChannels: c2, kernel: 3, rng: &rng)
        dec1 = ResBlock(params, "dec1", inChannels: c2, outChannels: c2, rng: &rng)
        up1 = Conv2d(params, "up1", inChannels: c2, outChannels: c2, kernel: 3, rng: &rng)
        dec2 = ResBlock(params, "dec2", inChannels: c2, outChannels: ch, rng: &rng)
        up2 = Conv2d(params, "up2", inChannels: ch, outChannels: ch, kernel: 3, rng: &rng)
        dec3 = ResBlock(params, "dec3", inChannels: ch, outChannels: ch, rng: &rng)
        decNorm = GroupNorm(params, "dec_norm", groups: 32, channels: ch)
        convOut = Conv2d(params, "conv_out", inChannels: ch, outChannels: 3, kernel: 3, rng: &rng)
    }

    func callAsFunction(_ x: Variable) -> Variable {
        var h = enc1(convIn(x))
        h = enc2(down1(h))
        h = enc3(down2(h))
        let z = toLatent(Ops.silu(encNorm(h)))
        h = dec1(fromLatent(z))
        h = dec2(up1(Ops.upsampleNearest(h, factor: 2)))
        h = dec3(up2(Ops.upsampleNearest(h, factor: 2)))
        return convOut(Ops.silu(decNorm(h)))
    }
}
