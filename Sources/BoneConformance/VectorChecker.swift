import BoneExact
import BoneFast
import BoneLayers

/// The result of checking one test.
public struct TestVerdict: Sendable {
  /// The file.
  public var file: String
  /// The test's number.
  public var tcId: Int
  /// The requirement IDs the test checks.
  public var requirements: [String]
  /// What differed; empty when the test passed.
  public var mismatches: [Mismatch]
  /// Why the test was not run, when it was not.
  public var skipped: String?

  /// True when the test ran and nothing differed.
  public var passed: Bool { skipped == nil && mismatches.isEmpty }
}

/// Checks vector files against in-process implementations.
public enum VectorChecker {
  /// A scenario implementation: runs a layer's steps for a dtype and policy,
  /// or nil when it does not support them.
  public typealias ScenarioImplementation = (DType, DevicePolicy) -> ((LayerSpec, [Step]) throws -> [StepOutcome])?

  /// The exact reference as an implementation.
  public static var exactImplementation: ScenarioImplementation { { dtype, policy in
    { try ScenarioRunner.exactImplementation(dtype: dtype, policy: policy).run(layer: $0, steps: $1) }
  } }

  /// The fast implementation (CPU policy only), running the fastest copy of
  /// its kernels this processor supports.
  public static var fastImplementation: ScenarioImplementation { fastImplementation(.best) }

  /// The fast implementation (CPU policy only) running the given copy of its
  /// kernels; it supports nothing when the processor lacks them.
  public static func fastImplementation(_ instructions: FastInstructions) -> ScenarioImplementation { { dtype, policy in
    guard policy == .cpu, instructions.isSupported else { return nil }
    func run<S: FastStorage>(_: S.Type) -> ((LayerSpec, [Step]) throws -> [StepOutcome])? {
      guard let backend = try? FastBackend<S>(instructions: instructions) else { return nil }
      return { try ScenarioRunner<FastBackend<S>, String>.fast(S.self, backend: backend).run(layer: $0, steps: $1) }
    }
    switch dtype {
    case .float64: return run(Double.self)
    case .float32: return run(Float.self)
    case .float16: return run(Float16.self)
    case .bfloat16: return run(BFloat16.self)
    }
  } }

  /// Checks every test of a file. Scenarios run on `implementation`; the
  /// other kinds check this project's own config, targeting, checkpoint and
  /// rounding code. With `exactly`, scenario values must be canonical.
  public static func check(_ file: VectorFile, name: String, implementation: ScenarioImplementation, exactly: Bool = false) -> [TestVerdict] {
    var verdicts: [TestVerdict] = []
    for group in file.testGroups {
      for test in group.tests {
        var verdict = TestVerdict(file: name, tcId: test.tcId, requirements: test.requirements, mismatches: [])
        do {
          switch group.type {
          case "LayerScenario":
            guard let dtype = group.dtype.flatMap(DType.init(name:)), let policy = group.policy.flatMap(DevicePolicy.init(rawValue:)) else {
              throw VectorInputError("\(name) tcId \(test.tcId): group needs dtype and policy")
            }
            guard let run = implementation(dtype, policy) else {
              verdict.skipped = "the implementation does not support the \(policy) policy"
              break
            }
            guard let layer = test.layer, let steps = test.steps else { throw VectorInputError("\(name) tcId \(test.tcId): needs layer and steps") }
            verdict.mismatches = Judge.check(test, steps: steps, outcomes: try run(layer, steps), dtype: dtype, exactly: exactly)
          case "Rounding":
            verdict.mismatches = checkRounding(test)
          case "Config":
            verdict.mismatches = checkConfig(test)
          case "Targeting":
            verdict.mismatches = checkTargeting(test)
          case "Checkpoint":
            verdict.mismatches = checkCheckpoint(test)
          default:
            throw VectorInputError("\(name): unknown group type \(group.type)")
          }
        } catch {
          verdict.mismatches.append(Mismatch(step: 0, op: group.type, what: "could not run: \(error)"))
        }
        verdicts.append(verdict)
      }
    }
    return verdicts
  }

  static func mismatch(_ what: String) -> Mismatch { Mismatch(step: 0, op: "check", what: what) }

  static func checkRounding(_ test: TestCase) -> [Mismatch] {
    guard let text = test.value else { return [mismatch("no value")] }
    let value: Rational
    do {
      value = try Rational(parsing: text)
    } catch {
      return test.error == "notARational" ? [] : [mismatch("\"\(text)\" did not parse: \(error)")]
    }
    if test.error != nil { return [mismatch("\"\(text)\" parsed as \(value), expected an error")] }
    var result: [Mismatch] = []
    for (name, expected) in (test.rounded ?? [:]).sorted(by: { $0.key < $1.key }) {
      guard let dtype = DType(name: name) else { return [mismatch("unknown dtype \(name)")] }
      let got = dtype.hex(value.roundedBits(to: dtype))
      if got != expected { result.append(mismatch("\(text) in \(name): expected \(expected), got \(got)")) }
    }
    return result
  }

  static func checkConfig(_ test: TestCase) -> [Mismatch] {
    do {
      let config = try BoneConfig(json: test.config ?? .null)
      if let error = test.error { return [mismatch("expected error \(error), got a config")] }
      return config.adapterConfigJSON == test.expectedConfig ? [] : [mismatch("config \(config.adapterConfigJSON) is not \(test.expectedConfig ?? .null)")]
    } catch {
      return error.kind == test.error ? [] : [mismatch("error \(error.kind), expected \(test.error ?? "none")")]
    }
  }

  static func checkTargeting(_ test: TestCase) -> [Mismatch] {
    do {
      let config = try BoneConfig(json: test.config ?? .null)
      let modules = (test.modules ?? []).map { ModuleDescription(name: $0.name, isLinear: $0.linear) }
      let names = try ModuleTargeting.targetedModules(modules, config: config, modelType: test.modelType)
      if let error = test.error { return [mismatch("expected error \(error), got \(names)")] }
      return names == test.expectedNames ? [] : [mismatch("targeted \(names), expected \(test.expectedNames ?? [])")]
    } catch let error as TargetingError {
      return error.kind == test.error ? [] : [mismatch("error \(error.kind), expected \(test.error ?? "none")")]
    } catch let error as ConfigError {
      return error.kind == test.error ? [] : [mismatch("error \(error.kind), expected \(test.error ?? "none")")]
    } catch {
      return [mismatch("unexpected \(error)")]
    }
  }

  static func checkCheckpoint(_ test: TestCase) -> [Mismatch] {
    let names = test.names ?? []
    if let config = test.config {
      let converted = names.map(Checkpoint.missTensorName)
      var result: [Mismatch] = []
      if converted != test.expectedNames { result.append(mismatch("MiSS names \(converted), expected \(test.expectedNames ?? [])")) }
      if Checkpoint.missConfig(config) != test.expectedConfig { result.append(mismatch("MiSS config differs")) }
      return result
    }
    let saved = names.compactMap { Checkpoint.savedName(stateDictKey: $0, adapterName: test.adapterName ?? "default") }
    return saved == test.expectedNames ? [] : [mismatch("saved \(saved), expected \(test.expectedNames ?? [])")]
  }
}
