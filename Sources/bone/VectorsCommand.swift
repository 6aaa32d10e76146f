import BoneConformance
import Foundation

/// `bone vectors generate|lint|check|trace`: the golden vectors.
struct VectorsCommand: Command {
  static let name = "vectors"
  static let abstract = "Generate, lint, check or trace the golden vectors."
  static let usage = """
    bone vectors generate [--out DIR]          write every vector file and MANIFEST.json (default Vectors)
    bone vectors lint [--vectors DIR]          check schema, counts, tcIds, flags, requirement IDs, manifest
    bone vectors check [--vectors DIR] [--impl exact|fast]
                                               run every vector in process (exact: canonical bits required)
    bone vectors trace [--vectors DIR] [--tests DIR]
                                               requirement ID → vectors and Swift test files that cite it
      --spec FILE  the specification (default Spec/BONE.md)
    """

  let action: String
  let directory: String
  let spec: String
  let implementation: String
  let tests: String

  init(arguments: [String]) throws(UsageError) {
    let parsed = try ParsedArguments(arguments, options: ["out", "vectors", "spec", "impl", "tests"])
    guard parsed.positional.count == 1, let action = parsed.positional.first, ["generate", "lint", "check", "trace"].contains(action) else {
      throw UsageError("vectors needs one of generate, lint, check, trace")
    }
    self.action = action
    directory = parsed.options["out"]?.first ?? parsed.options["vectors"]?.first ?? "Vectors"
    spec = parsed.options["spec"]?.first ?? "Spec/BONE.md"
    implementation = parsed.options["impl"]?.first ?? "exact"
    guard ["exact", "fast"].contains(implementation) else { throw UsageError("--impl is exact or fast, not \(implementation)") }
    tests = parsed.options["tests"]?.first ?? "Tests"
  }

  func run() throws -> Int32 {
    switch action {
    case "generate": return try generate()
    case "lint": return try lint()
    case "check": return try check()
    default: return try trace()
    }
  }

  func generate() throws -> Int32 {
    let files = try VectorSuite.generate()
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    for (name, data) in files.sorted(by: { $0.key < $1.key }) {
      try data.write(to: URL(fileURLWithPath: directory).appendingPathComponent(name))
      print("wrote \(directory)/\(name) (\(data.count) bytes)")
    }
    return 0
  }

  func loadFiles() throws -> [(String, VectorFile, Data)] {
    let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") && $0 != "MANIFEST.json" }.sorted()
    return try names.map { name in
      let data = try Data(contentsOf: URL(fileURLWithPath: directory).appendingPathComponent(name))
      return (name, try VectorSuite.decode(data, name: "\(directory)/\(name)"), data)
    }
  }

  func lint() throws -> Int32 {
    let ids = VectorSuite.requirementIDs(inSpec: try String(contentsOfFile: spec, encoding: .utf8))
    var problems: [String] = []
    var bytes: [String: Data] = [:]
    var counts: [String: Int] = [:]
    for (name, file, data) in try loadFiles() {
      problems += VectorSuite.lint(file, name: name, requirementIDs: ids)
      bytes[name] = data
      counts[name] = file.numberOfTests
    }
    let manifestPath = URL(fileURLWithPath: directory).appendingPathComponent("MANIFEST.json")
    if (try? Data(contentsOf: manifestPath)) != VectorSuite.manifest(bytes, tests: counts) {
      problems.append("MANIFEST.json does not match the files (sizes, counts or SHA-256): regenerate with bone vectors generate")
    }
    for problem in problems { print(problem) }
    print(problems.isEmpty ? "lint: \(bytes.count) files, \(counts.values.reduce(0, +)) tests, no problems" : "lint: \(problems.count) problems")
    return problems.isEmpty ? 0 : 1
  }

  func check() throws -> Int32 {
    let impl = implementation == "fast" ? VectorChecker.fastImplementation : VectorChecker.exactImplementation
    var passed = 0
    var failed = 0
    var skipped = 0
    for (name, file, _) in try loadFiles() {
      for verdict in VectorChecker.check(file, name: name, implementation: impl, exactly: implementation == "exact") {
        if verdict.skipped != nil {
          skipped += 1
        } else if verdict.passed {
          passed += 1
        } else {
          failed += 1
          print("FAIL \(name) tcId \(verdict.tcId) [\(verdict.requirements.joined(separator: " "))]")
          for mismatch in verdict.mismatches.prefix(5) { print("  \(mismatch)") }
        }
      }
    }
    print("\(passed) passed, \(failed) failed, \(skipped) skipped")
    return failed == 0 ? 0 : 1
  }

  func trace() throws -> Int32 {
    let ids = VectorSuite.requirementIDs(inSpec: try String(contentsOfFile: spec, encoding: .utf8)).sorted()
    var vectorCount: [String: Int] = [:]
    for (_, file, _) in try loadFiles() {
      for test in file.testGroups.flatMap(\.tests) { for id in test.requirements { vectorCount[id, default: 0] += 1 } }
    }
    var testFiles: [String: [String]] = [:]
    let enumerator = FileManager.default.enumerator(atPath: tests)
    while let path = enumerator?.nextObject() as? String {
      guard path.hasSuffix(".swift"), let text = try? String(contentsOfFile: "\(tests)/\(path)", encoding: .utf8) else { continue }
      for id in ids where text.contains(id) { testFiles[id, default: []].append((path as NSString).lastPathComponent) }
    }
    var gaps = 0
    print("| requirement | vectors | Swift test files |")
    print("| --- | --- | --- |")
    for id in ids {
      let files = (testFiles[id] ?? []).sorted()
      if vectorCount[id] == nil || files.isEmpty { gaps += 1 }
      print("| \(id) | \(vectorCount[id] ?? 0) | \(files.isEmpty ? "—" : files.joined(separator: ", ")) |")
    }
    print("\(ids.count) requirements, \(gaps) without a vector or a test")
    return gaps == 0 ? 0 : 1
  }
}
