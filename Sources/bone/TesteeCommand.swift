import BoneConformance
import BoneFast

/// `bone testee --impl fast|exact`: serves the testee protocol for this
/// project's own implementations.
struct TesteeCommand: Command {
  static let name = "testee"
  static let abstract = "Serve the testee protocol (Spec/TESTEE.md) for the fast or the exact implementation."
  static let usage = """
    bone testee [--impl fast|exact] [--instructions portable|avx2|avx512]
      --impl  fast (default; CPU policy) or exact (every policy, canonical results)
      --instructions
              the fast implementation's copy of its kernels (default the
              fastest this processor supports)
    """

  let implementation: String
  let instructions: FastInstructions

  init(arguments: [String]) throws(UsageError) {
    let parsed = try ParsedArguments(arguments, options: ["impl", "instructions"])
    guard parsed.positional.isEmpty else { throw UsageError("unexpected argument \(parsed.positional[0])") }
    implementation = parsed.options["impl"]?.first ?? "fast"
    guard ["fast", "exact"].contains(implementation) else { throw UsageError("--impl is fast or exact, not \(implementation)") }
    instructions = try parsed.instructions()
  }

  func run() throws -> Int32 {
    let server =
      implementation == "fast"
      ? TesteeServer(name: "bone-spec fast (\(instructions))", policies: [.cpu], implementation: VectorChecker.fastImplementation(instructions))
      : TesteeServer(name: "bone-spec exact", policies: [.cpu, .native], implementation: VectorChecker.exactImplementation)
    server.serve()
    return 0
  }
}
