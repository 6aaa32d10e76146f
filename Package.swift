// swift-tools-version:6.0
//
// bone-spec: a reference specification and conformance suite for the BONE and
// BAT weight transforms. Targets are grouped by role, as in apple/swift-numerics.

import PackageDescription

// MARK: - Public API

let publicProducts: [Product] = [
  .library(name: "BoneNumerics", targets: ["BoneNumerics"]),
  .library(name: "BoneLayers", targets: ["BoneLayers"]),
  .library(name: "BoneExact", targets: ["BoneExact"]),
  .library(name: "BoneFast", targets: ["BoneFast"]),
  .library(name: "BoneConformance", targets: ["BoneConformance"]),
  .executable(name: "bone", targets: ["bone"]),
]

let publicTargets: [Target] = [
  // Storage types and their formats (float64, float32, float16, bfloat16).
  .target(name: "BoneNumerics"),
  // The semantics of adapted layers: the state machine over an arithmetic
  // backend, configuration, targeting and checkpoint naming.
  .target(name: "BoneLayers", dependencies: ["BoneNumerics"]),
  // Exact rational arithmetic over GMP and correct rounding; the exact reference.
  .target(name: "BoneExact", dependencies: ["CGMP", "BoneNumerics", "BoneLayers"]),
  // Fast Float kernels.
  .target(name: "BoneFast", dependencies: ["BoneNumerics", "BoneLayers"]),
  // The conformance runner and the vocabulary it reports in.
  .target(name: "BoneConformance", dependencies: ["BoneNumerics", "BoneLayers", "BoneExact", "BoneFast"]),
  // The command-line tool.
  .executableTarget(
    name: "bone",
    dependencies: ["BoneNumerics", "BoneLayers", "BoneExact", "BoneFast", "BoneConformance"]),
]

// MARK: - Implementation details

let implementationTargets: [Target] = [
  // The C boundary: GMP through pkg-config, plus a shim for GMP's macro-only API.
  // Only BoneExact imports it.
  .systemLibrary(
    name: "CGMP",
    pkgConfig: "gmp",
    providers: [.apt(["libgmp-dev", "pkg-config"])]),
  // Property-based testing on Swift Testing: choice sequences, generators, shrinking.
  .target(name: "BoneTestSupport", dependencies: ["BoneNumerics", "BoneLayers", "BoneExact"]),
]

// MARK: - Tests

let testTargets: [Target] = [
  .testTarget(name: "BoneNumericsTests", dependencies: ["BoneNumerics", "BoneExact", "BoneTestSupport"]),
  .testTarget(
    name: "BoneExactTests", dependencies: ["BoneExact", "BoneNumerics", "BoneTestSupport"]),
  .testTarget(
    name: "BoneLayersTests", dependencies: ["BoneLayers", "BoneExact", "BoneNumerics", "BoneTestSupport"]),
  .testTarget(
    name: "BoneFastTests", dependencies: ["BoneFast", "BoneExact", "BoneLayers", "BoneNumerics", "BoneTestSupport"]),
  .testTarget(
    name: "BoneConformanceTests", dependencies: ["BoneConformance", "BoneExact", "BoneLayers", "BoneNumerics"]),
  .testTarget(
    name: "BoneTestSupportTests", dependencies: ["BoneTestSupport", "BoneNumerics", "BoneExact"]),
]

let package = Package(
  name: "bone-spec",
  products: publicProducts,
  targets: publicTargets + implementationTargets + testTargets
)
