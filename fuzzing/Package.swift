// swift-tools-version:6.0
// libFuzzer targets for the dcvc parsers and decoder (docs/robustness.md). Built apart from the
// main package, with sanitizer flags for every module: `make fuzz` (or fuzz/run.sh) builds and runs.
import PackageDescription

let package = Package(
    name: "dcvc-fuzz",
    platforms: [.macOS(.v13)],
    dependencies: [.package(name: "dcvc", path: "..")],
    targets: [
        .target(name: "FuzzSupport", dependencies: [.product(name: "DCVCLibraries", package: "dcvc")]),
        .executableTarget(name: "fuzz-container", dependencies: [
            "FuzzSupport", .product(name: "DCVCLibraries", package: "dcvc")]),
        .executableTarget(name: "fuzz-frame", dependencies: [
            "FuzzSupport", .product(name: "DCVCLibraries", package: "dcvc")]),
        .executableTarget(name: "fuzz-y4m", dependencies: [
            "FuzzSupport", .product(name: "DCVCLibraries", package: "dcvc")]),
        .executableTarget(name: "fuzz-safetensors", dependencies: [
            "FuzzSupport", .product(name: "DCVCLibraries", package: "dcvc")]),
    ],
    swiftLanguageModes: [.v5]
)
