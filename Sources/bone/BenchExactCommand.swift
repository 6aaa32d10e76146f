import BoneExact
import BoneNumerics
import Foundation

/// `bone bench-exact`: the exact BAT merge in Swift over GMP, side by side with
/// the same computation in Python's `fractions.Fraction` (the peer script
/// `Tests/Interop/fractions/bat_merge.py`), on the same float32 inputs.
struct BenchExactCommand: Command {
  static let name = "bench-exact"
  static let abstract = "Time the exact BAT merge against Python's fractions.Fraction (build with -c release)."
  static let usage = """
    bone bench-exact [--size N] [--rank R] [--runs K] [--peer PATH | --no-peer yes]
      --size  the weight is N×N float32 (default 256)
      --rank  the BAT rank r, dividing N (default 16)
      --runs  timed runs of each implementation (default 3); medians are compared
      --peer  the Python peer script (default Tests/Interop/fractions/bat_merge.py)
      --no-peer yes   time the Swift side only
    """

  let size: Int
  let rank: Int
  let runs: Int
  let peerPath: String?

  init(arguments: [String]) throws(UsageError) {
    let parsed = try ParsedArguments(arguments, options: ["size", "rank", "runs", "peer", "no-peer"])
    guard parsed.positional.isEmpty else { throw UsageError("unexpected argument \(parsed.positional[0])") }
    func number(_ name: String, _ fallback: Int) throws(UsageError) -> Int {
      guard let text = parsed.options[name]?.first else { return fallback }
      guard let value = Int(text), value >= 1 else { throw UsageError("--\(name) needs a positive whole number, not \(text)") }
      return value
    }
    size = try number("size", 256)
    rank = try number("rank", 16)
    runs = try number("runs", 3)
    guard size % rank == 0 else { throw UsageError("--rank \(rank) must divide --size \(size)") }
    if parsed.options["no-peer"] != nil {
      guard parsed.options["peer"] == nil else { throw UsageError("--peer and --no-peer exclude each other") }
      peerPath = nil
    } else {
      peerPath = parsed.options["peer"]?.first ?? "Tests/Interop/fractions/bat_merge.py"
    }
  }

  func run() throws -> Int32 {
    // Deterministic float32 inputs: weights in [−1, 1), block entries in [−1/8, 1/8).
    var generator = SplitMix64(seed: 0xBA7)
    func float32(scale: Float) -> Float { (Float(generator.next() >> 40) / Float(1 << 24) * 2 - 1) * scale }
    let weightBits = (0..<(size * size)).map { _ in float32(scale: 1).bitPattern }
    let blockBits = (0..<(size / rank * rank * rank)).map { _ in float32(scale: 0.125).bitPattern }

    let weight = Matrix<Rational>(rows: size, columns: size) { i, j in
      (try? Rational(exactly: Float(bitPattern: weightBits[i * size + j]))) ?? .zero
    }
    let blocks = (0..<(size / rank)).map { a in
      Matrix<Rational>(rows: rank, columns: rank) { i, j in
        (try? Rational(exactly: Float(bitPattern: blockBits[a * rank * rank + i * rank + j]))) ?? .zero
      }
    }

    print("exact BAT merge, \(size)×\(size) float32 weight, r = \(rank), \(runs) run(s) each")
    var swiftSeconds: [Double] = []
    var merged = weight
    for _ in 0..<runs {
      let start = ContinuousClock.now
      merged = ExactMath.batMerge(weight, blocks: blocks)
      swiftSeconds.append((ContinuousClock.now - start).seconds)
    }
    let checksum = merged.elements.reduce(Rational.zero, +).description
    printRow("bone-spec (Swift, GMP)", swiftSeconds)

    guard let peerPath else { return 0 }
    let hex = { (bits: UInt32) in String(bits, radix: 16) }
    let request: [String: Any] = [
      "size": size, "rank": rank, "runs": runs,
      "weight": weightBits.map(hex), "blocks": blockBits.map(hex),
    ]
    let reply = try runPeerProcess(executable: "/usr/bin/env", arguments: ["python3", peerPath], input: JSONSerialization.data(withJSONObject: request))
    guard let object = try JSONSerialization.jsonObject(with: reply) as? [String: Any],
      let peerSeconds = object["seconds"] as? [Double], let peerChecksum = object["checksum"] as? String
    else {
      throw BenchError("the peer's reply is not {\"seconds\": [...], \"checksum\": \"p/q\"}: \(String(decoding: reply, as: UTF8.self).prefix(200))")
    }
    printRow("Python fractions.Fraction", peerSeconds)
    let ratio = median(peerSeconds) / median(swiftSeconds)
    print("ratio (Python / Swift, medians): \(String(format: "%.1f", ratio))×   target ≥ 20×: \(ratio >= 20 ? "met" : "NOT met")")
    let agree = peerChecksum == checksum
    print("checksums (exact sum of all merged entries) agree: \(agree ? "yes" : "NO")")
    return agree ? 0 : 1
  }

  func printRow(_ name: String, _ seconds: [Double]) {
    let cells = [median(seconds), seconds.min() ?? 0, seconds.max() ?? 0].map { String(format: "%9.3f s", $0) }
    print("\(name.padding(28)) median \(cells[0])  min \(cells[1])  max \(cells[2])")
  }

}

/// The median of measurements (0 for none).
func median(_ values: [Double]) -> Double {
  let sorted = values.sorted()
  guard !sorted.isEmpty else { return 0 }
  return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

/// Runs a peer script with `input` on its standard input and returns its
/// standard output; the input is written from another thread so that a large
/// request cannot deadlock on a full pipe.
///
/// - Throws: when the process cannot start or exits with a nonzero status.
func runPeerProcess(executable: String, arguments: [String], input: Data) throws -> Data {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: executable)
  process.arguments = arguments
  let stdin = Pipe()
  let stdout = Pipe()
  process.standardInput = stdin
  process.standardOutput = stdout
  try process.run()
  let writer = Thread {
    stdin.fileHandleForWriting.write(input)
    try? stdin.fileHandleForWriting.close()
  }
  writer.start()
  let output = stdout.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  guard process.terminationStatus == 0 else {
    throw BenchError("the peer \((arguments.last ?? executable)) exited with status \(process.terminationStatus)")
  }
  return output
}

/// A benchmark that could not run.
struct BenchError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

extension Duration {
  /// The duration in seconds.
  var seconds: Double {
    let (s, attoseconds) = components
    return Double(s) + Double(attoseconds) / 1e18
  }
}
