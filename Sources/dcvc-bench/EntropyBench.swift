import ArgumentParser
import Entropy
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `dcvc-bench entropy`: the rANS coder under each model type, one million symbols per case:
/// ideal bits under the quantized frequencies, bits actually written, and coding speed.
struct EntropyBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "entropy",
        abstract: "Measure the entropy coder: overhead against ideal bits, encode and decode Msym/s.")

    @Flag(help: "Print JSON: {cases: [{name, ideal_bits, actual_bits, overhead_pct, encode_msym_s, decode_msym_s}]}.")
    var json = false

    @Option(help: "Symbols per case.")
    var symbols = 1_000_000

    @Option(help: "Timed repetitions per case (the fastest is reported).")
    var repeats = 3

    @Option(help: "Run only the cases whose name contains this.")
    var only: String?

    @Option(help: "The ryg_rans peer harness (scripts/build-ryg-rans.sh); default .build/peer/ryg_rans64_bench when built.")
    var rygRans: String?

    /// The peer binary: the one named, else the default one if it has been built, else none
    /// (the table cases then run without a ratio, and the report says so).
    func peerBinary() throws -> String? {
        guard let path = rygRans else { return RygRansPeer.defaultBinary }
        guard FileManager.default.isExecutableFile(atPath: path) else { throw BenchError.noPeer(path) }
        return path
    }

    func run() throws {
        var results: [EntropyCaseResult] = []
        let n = symbols

        func want(_ name: String) -> Bool { only.map { name.contains($0) } ?? true }

        let peer = try peerBinary()
        for k in [16, 256] where want("table-K\(k)") || want("ryg_rans-rans64-K\(k)") {
            var rng = BenchRandom(seed: 0x5EED_0000 + UInt64(k))
            let counts = (0..<k).map { UInt64(1_000_000.0 * pow(0.8, Double($0))) }
            let table = FrequencyTable(counts: counts, bits: 16)
            let syms = (0..<n).map { _ in rng.draw(table.cumulative, bits: 16) }
            let expected = syms.map { Int32($0) }
            let encode: (inout RansEncoder) -> Void = { enc in for s in syms { enc.encode(s, table) } }
            // Rounds of ours (per symbol), ours (run decoder: one table for the whole run) and the
            // peer in turn (two timed repetitions each), best of each: drifts in the machine's
            // speed hit all three alike.
            var ours: EntropyCaseResult?, bulk: EntropyCaseResult?, theirs: RygRansPeer.Result?
            let name = "ryg_rans-rans64-K\(k)"
            for _ in 0..<max(1, repeats) {
                ours = EntropyCaseResult.best(ours, try measure("table-K\(k)", n, 2, encode: encode,
                    decode: { dec, out in for i in 0..<n { out[i] = Int32(try dec.decode(table)) } },
                    expected: expected))
                bulk = EntropyCaseResult.best(bulk, try measure("table-K\(k)-run", n, 2, encode: encode,
                    decode: { dec, out in try dec.decode(table, into: out) }, expected: expected))
                if let peer {
                    let r = try RygRansPeer(binary: peer).run(cumulative: table.cumulative, bits: table.bits, symbols: syms,
                                                              stream: ours!.stream, repeats: 2)
                    guard r.streamIdentical else { throw BenchError.peerStream(name) }
                    theirs = theirs.map { RygRansPeer.Result.best($0, r) } ?? r
                }
            }
            if let theirs {
                ours!.peer = (name, theirs.decodeMsym)
                bulk!.peer = (name, theirs.decodeMsym)
                results += [ours!, bulk!, EntropyCaseResult(name: name, idealBits: ours!.idealBits, actualBits: 8 * theirs.bytes,
                                                            encodeMsym: theirs.encodeMsym, decodeMsym: theirs.decodeMsym)]
            } else {
                results += [ours!, bulk!]
            }
        }

        for k in [16, 256, 1024, 4096] where want("categorical-K\(k)") || want("categorical-K\(k)-table") {
            var rng = BenchRandom(seed: 0x5EED_1000 + UInt64(k))
            // 64 distributions from random logits; each symbol names one (both sides know which).
            let dists = (0..<64).map { _ -> CategoricalDistribution in
                let temp = 1.0 + 4 * rng.unit()
                return CategoricalDistribution(logits: (0..<k).map { _ in Float(rng.gaussian() * temp) })
            }
            let which = (0..<n).map { _ in Int(rng.next() % 64) }
            let syms = which.map { rng.draw(dists[$0].cumulative, bits: dists[$0].bits) }
            results.append(try measure("categorical-K\(k)", n, repeats,
                encode: { enc in for i in 0..<n { enc.encode(syms[i], dists[which[i]]) } },
                decode: { dec, out in for i in 0..<n { out[i] = Int32(try dec.decode(dists[which[i]])) } },
                expected: syms.map { Int32($0) }))
            // The same distributions as static tables with a lookup table (for reused priors).
            let bank = FrequencyTableBank(dists.map { FrequencyTable($0) })
            results.append(try measure("categorical-K\(k)-table", n, repeats,
                encode: { enc in for i in 0..<n { enc.encode(syms[i], bank, index: which[i]) } },
                decode: { dec, out in for i in 0..<n { out[i] = Int32(try dec.decode(bank, index: which[i])) } },
                expected: syms.map { Int32($0) }))
        }

        if want("categorical-K256-softmax-per-symbol") {
            var rng = BenchRandom(seed: 0x5EED_2000)
            // The index-prior path: a fresh integer softmax for every symbol (K = 256).
            let k = 256
            let rows = (0..<64).map { _ in (0..<k).map { _ in Float(rng.gaussian() * 3) } }
            let which = (0..<n).map { _ in Int(rng.next() % 64) }
            let syms = which.map { rng.draw(CategoricalDistribution(logits: rows[$0]).cumulative, bits: CategoricalDistribution.defaultBits) }
            var result = try measure("categorical-K256-softmax-per-symbol", n, repeats,
                encode: { enc in
                    var d = CategoricalDistribution(logits: rows[0])
                    for i in 0..<n {
                        rows[which[i]].withUnsafeBufferPointer { d.setLogits($0) }
                        enc.encode(syms[i], d)
                    }
                },
                decode: { dec, out in
                    var d = CategoricalDistribution(logits: rows[0])
                    for i in 0..<n {
                        rows[which[i]].withUnsafeBufferPointer { d.setLogits($0) }
                        out[i] = Int32(try dec.decode(d))
                    }
                },
                expected: syms.map { Int32($0) })
            if let peer {
                let theirs = try RygRansPeer(binary: peer).runSoftmax(rows: rows, which: which, symbols: syms,
                    bits: CategoricalDistribution.defaultBits, stream: result.stream, repeats: repeats)
                result.peer = ("softmax-rans64-C", theirs)
                results += [result, EntropyCaseResult(name: "softmax-rans64-C-K256", idealBits: result.idealBits,
                                                      actualBits: result.actualBits, encodeMsym: .nan, decodeMsym: theirs)]
            } else {
                results.append(result)
            }
        }

        for shape in [ScaleTableSet.Shape.laplace, .gaussian] where want(shape.rawValue) || only.map({ !$0.contains("-") && shape.rawValue.contains($0) }) ?? false || ["low", "mid", "high"].contains(where: { want("\(shape.rawValue)-\($0)") }) {
            let set = ScaleTableSet.build(shape: shape)
            var rng = BenchRandom(seed: shape == .laplace ? 0x5EED_3000 : 0x5EED_4000)
            for (label, center) in [("low", 0.25), ("mid", 2.5), ("high", 25.0)] where want("\(shape.rawValue)-\(label)") {
                let scales = (0..<n).map { _ in Float(center * pow(2, rng.unit() - 0.5)) }
                let means = (0..<n).map { _ in Float(rng.unit() * 20 - 10) }
                let values = (0..<n).map { i -> Int32 in
                    let s = Double(scales[i])
                    let x = shape == .laplace ? rng.laplace(scale: s) : rng.gaussian() * s
                    return Int32((Double(means[i]) + x).rounded())
                }
                results.append(try measure("\(shape.rawValue)-\(label)", n, repeats,
                    encode: { enc in for i in 0..<n { enc.encode(values[i], mean: means[i], scale: scales[i], set) } },
                    decode: { dec, out in for i in 0..<n { out[i] = try dec.decode(mean: means[i], scale: scales[i], set) } },
                    expected: values))
            }
        }

        for k in [16, 256] where want("adaptive-K\(k)") {
            var rng = BenchRandom(seed: 0x5EED_5000 + UInt64(k))
            // A skewed source whose statistics drift halfway through.
            let syms = (0..<n).map { i -> Int in
                var j = 0
                while rng.unit() > 0.25 && j < k - 1 { j += 1 }
                return i < n / 2 ? j : (k - 1 - j)
            }
            results.append(try measure("adaptive-K\(k)", n, repeats,
                encode: { enc in
                    var m = AdaptiveModel(symbolCount: k)
                    for s in syms { enc.encode(s, &m) }
                },
                decode: { dec, out in
                    var m = AdaptiveModel(symbolCount: k)
                    for i in 0..<n { out[i] = Int32(try dec.decode(&m)) }
                },
                expected: syms.map { Int32($0) }))
        }

        if json {
            let cases = results.map { r in
                "{\"name\": \"\(r.name)\", \"ideal_bits\": \(fmt(r.idealBits, 1)), \"actual_bits\": \(r.actualBits), "
                    + "\"overhead_pct\": \(fmt(r.overheadPct, 5)), \"overhead_excl_flush_pct\": \(fmt(r.codingOverheadPct, 5)), \"encode_msym_s\": \(fmt(r.encodeMsym, 2)), "
                    + "\"decode_msym_s\": \(fmt(r.decodeMsym, 2))"
                    + (r.peer.map { ", \"peer\": \"\($0.name)\", \"decode_ratio_to_peer\": \(fmt(r.decodeRatio!, 3))" } ?? "") + "}"
            }
            print("{\"symbols\": \(n), \"peer\": " + (peer.map { "\"\($0)\"" } ?? "null") + ", \"cases\": [\n  " + cases.joined(separator: ",\n  ") + "\n]}")
        } else {
            print("entropy coder: rANS, 2 interleaved 64-bit states, 32-bit renormalisation; \(n) symbols per case, best of \(repeats) (table cases: \(repeats) rounds of 2 beside the peer), thread CPU time")
            print(pad("case", 38) + pad("ideal bits", 14) + pad("actual bits", 14) + pad("overhead %", 12) + pad("excl.flush %", 13)
                  + pad("bits/sym", 10) + pad("enc Msym/s", 12) + "dec Msym/s")
            for r in results {
                print(pad(r.name, 38) + pad(fmt(r.idealBits, 0), 14) + pad("\(r.actualBits)", 14)
                      + pad(fmt(r.overheadPct, 4), 12) + pad(fmt(r.codingOverheadPct, 4), 13) + pad(fmt(r.idealBits / Double(n), 3), 10)
                      + pad(fmt(r.encodeMsym, 1), 12) + pad(fmt(r.decodeMsym, 1), 12)
                      + (r.peer.map { fmt(r.decodeRatio!, 2) + "x " + $0.name } ?? ""))
            }
            print(peer.map { "peers (cc -O2, \($0)): table cases: ryg_rans rans64.h with the interleaved loops of its main64.cpp; "
                + "softmax case: the §6 softmax in scalar C over rans64.h; same symbols, tables/logits and stream" }
                  ?? "peer: not built (scripts/build-ryg-rans.sh, or --ryg-rans BINARY); table cases have no ratio")
        }
    }

    /// Encodes and decodes `n` symbols `repeats` times, checks the round trip, keeps the fastest times.
    private func measure(_ name: String, _ n: Int, _ repeats: Int,
                         encode: (inout RansEncoder) -> Void,
                         decode: (inout RansDecoder, UnsafeMutableBufferPointer<Int32>) throws -> Void,
                         expected: [Int32]) throws -> EntropyCaseResult {
        var bestEnc = Double.infinity, bestDec = Double.infinity
        var bytes: [UInt8] = []
        var ideal = 0.0
        var out = [Int32](repeating: 0, count: n)
        for _ in 0..<max(1, repeats) {
            var enc = RansEncoder(capacity: n + n / 8)
            let t0 = threadSeconds()
            encode(&enc)
            if ideal == 0 { ideal = enc.idealBits }  // outside the timed region below
            let t1 = threadSeconds()
            bytes = enc.finish()
            let t2 = threadSeconds()
            bestEnc = min(bestEnc, (t1 - t0) + (t2 - t1))
            let t3 = threadSeconds()
            var dec = try RansDecoder(bytes)
            try out.withUnsafeMutableBufferPointer { try decode(&dec, $0) }
            try dec.finish()
            bestDec = min(bestDec, threadSeconds() - t3)
            guard out == expected else { throw BenchError.mismatch(name) }
        }
        return EntropyCaseResult(name: name, idealBits: ideal, actualBits: bytes.count * 8,
                                 encodeMsym: Double(n) / bestEnc / 1e6, decodeMsym: Double(n) / bestDec / 1e6, stream: bytes)
    }
}

enum BenchError: Error, CustomStringConvertible {
    case mismatch(String)
    case peerStream(String)
    case noPeer(String)
    var description: String {
        switch self {
        case let .mismatch(name): return "entropy bench case \(name): decoded symbols differ from the input"
        case let .peerStream(name): return "entropy bench case \(name): the peer's stream differs from ours (same format expected)"
        case let .noPeer(path): return "ryg_rans peer \(path) is not an executable (build it with scripts/build-ryg-rans.sh)"
        }
    }
}

struct EntropyCaseResult {
    let name: String
    let idealBits: Double
    let actualBits: Int
    let encodeMsym: Double
    let decodeMsym: Double
    /// The stream of the last repetition (what the peer is given).
    var stream: [UInt8] = []
    /// The peer measured in the same run on the same symbols and table: its name and decode rate.
    var peer: (name: String, decodeMsym: Double)?
    /// Our decode rate over the peer's.
    var decodeRatio: Double? { peer.map { decodeMsym / $0.decodeMsym } }
    /// The faster of two measurements of the same case (encode and decode each).
    static func best(_ a: EntropyCaseResult?, _ b: EntropyCaseResult) -> EntropyCaseResult {
        guard let a else { return b }
        return EntropyCaseResult(name: b.name, idealBits: b.idealBits, actualBits: b.actualBits,
                              encodeMsym: max(a.encodeMsym, b.encodeMsym), decodeMsym: max(a.decodeMsym, b.decodeMsym),
                              stream: b.stream)
    }

    /// Bits written above the ideal, in percent of the ideal (the 16-byte flush included).
    var overheadPct: Double { (Double(actualBits) - idealBits) / idealBits * 100 }
    /// The same without the final flush (`Rans.flushBytes`; the peer's is the same 16 bytes).
    var codingOverheadPct: Double {
        (Double(actualBits) - Double(8 * Rans.flushBytes) - idealBits) / idealBits * 100
    }
}

/// Seeded generator for reproducible benchmark inputs.
struct BenchRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { (Double(next() >> 11) + 0.5) / Double(1 << 53) }
    mutating func gaussian() -> Double { (-2 * log(unit())).squareRoot() * cos(2 * Double.pi * unit()) }
    mutating func laplace(scale: Double) -> Double {
        let u = unit() - 0.5
        return u < 0 ? scale * log(1 + 2 * u) : -scale * log(1 - 2 * u)
    }
    /// A symbol drawn with the quantized probabilities of `cumulative`.
    mutating func draw(_ cumulative: [UInt32], bits: Int) -> Int {
        let slot = UInt32(truncatingIfNeeded: next()) & ((1 << UInt32(bits)) - 1)
        var lo = 0, hi = cumulative.count - 1
        while hi - lo > 1 { let mid = (lo + hi) / 2; if cumulative[mid] <= slot { lo = mid } else { hi = mid } }
        return lo
    }
}

/// CPU time of this thread: steadier than wall time while other jobs share the cores.
private func threadSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

private func fmt(_ v: Double, _ digits: Int) -> String {
    guard v.isFinite else { return "null" }
    var p = 1.0
    for _ in 0..<digits { p *= 10 }
    let r = (v * p).rounded() / p
    if digits == 0 { return String(Int64(r)) }
    var s = String(r)
    if s.contains("e") { return s }
    let dot = s.firstIndex(of: ".") ?? s.endIndex
    let have = s.distance(from: dot, to: s.endIndex) - 1
    if have < 0 { s += "." }
    if have < digits { s += String(repeating: "0", count: digits - max(0, have)) }
    return s
}

private func pad(_ s: String, _ w: Int) -> String {
    s.count >= w ? s + " " : s + String(repeating: " ", count: w - s.count)
}
