import ArgumentParser

/// `dcvc-bench`: measurements of the codec's parts, each beside a peer measured in the same run.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dcvc-bench",
        abstract: "Measure kernels, the entropy coder, training steps and decoding against peers in the same run.",
        subcommands: [KernelsBench.self, EntropyBench.self, TrainBench.self, DecodeBench.self])
}
Bench.main()
