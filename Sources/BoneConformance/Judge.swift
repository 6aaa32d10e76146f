import BoneExact
import BoneLayers

/// One way a step's outcome differs from its expectation, with what a person
/// needs to see it: the element, the exact value, the expected and actual
/// encodings, the distance in units in the last place and the bound.
public struct Mismatch: Sendable, Equatable, CustomStringConvertible {
  /// The step's index.
  public var step: Int
  /// The step's op.
  public var op: String
  /// What differs.
  public var what: String
  /// The element, when one.
  public var row: Int?
  /// The element's column.
  public var column: Int?
  /// The exact value there.
  public var exact: String?
  /// The canonical encoding there.
  public var expectedBits: String?
  /// The encoding the implementation gave.
  public var gotBits: String?
  /// |got − canonical| in units in the last place.
  public var ulps: UInt64?
  /// The bound there, or nil when bit-determined.
  public var bound: String?

  /// One line.
  public var description: String {
    var text = "step \(step) (\(op)): \(what)"
    if let row, let column { text += " at [\(row), \(column)]" }
    if let exact { text += "; exact \(Self.readable(exact))" }
    if let expectedBits { text += "; expected bits \(expectedBits)" }
    if let gotBits { text += ", got \(gotBits)" }
    if let ulps { text += " (\(ulps) ulp)" }
    text += bound.map { "; bound \(Self.readable($0))" } ?? (expectedBits != nil ? "; bit-determined" : "")
    return text
  }

  /// A value for people: `p/q` when short, else its nearest double with `p/q` elided.
  static func readable(_ text: String) -> String {
    guard text.count > 32, let value = try? Rational(parsing: text) else { return text }
    return "≈ \(value.roundedToDouble)"
  }
}

/// Compares outcomes with expectations (`Spec/VECTORS.md`).
public enum Judge {
  /// The reference element an expectation describes.
  static func element(bits: String, exact: String, bound: String?, dtype: DType) -> ReferenceElement? {
    guard let encoding = UInt64(bits, radix: 16), let exactValue = extended(exact) else { return nil }
    let value = ExtendedRational(bits: encoding, dtype: dtype)
    guard let bound else { return ReferenceElement(value: value, exact: exactValue, bound: .zero, determined: true) }
    if bound == "nonfinite" { return ReferenceElement(value: value, exact: .nan, bound: .zero, determined: false) }
    guard let limit = try? Rational(parsing: bound) else { return nil }
    return ReferenceElement(value: value, exact: exactValue, bound: limit, determined: false)
  }

  /// `p/q`, `inf`, `-inf` or `nan`.
  public static func extended(_ text: String) -> ExtendedRational? {
    switch text {
    case "nan": .nan
    case "inf": .infinity(negative: false)
    case "-inf": .infinity(negative: true)
    default: (try? Rational(parsing: text)).map(ExtendedRational.finite)
    }
  }

  /// The distance between two encodings in units in the last place.
  public static func ulps(_ a: UInt64, _ b: UInt64, dtype: DType) -> UInt64 {
    let ma = a & ~dtype.signMask & dtype.encodingMask
    let mb = b & ~dtype.signMask & dtype.encodingMask
    if a & dtype.signMask == b & dtype.signMask { return ma > mb ? ma - mb : mb - ma }
    let (sum, overflow) = ma.addingReportingOverflow(mb)  // across zero
    return overflow ? .max : sum
  }

  /// The mismatches of a scenario's outcomes, step by step. An acceptable
  /// refusal (the test's named error, at a step not expected to fail) ends
  /// the judging: what follows depended on the refused step.
  public static func check(
    _ test: TestCase, steps: [Step], outcomes: [StepOutcome], dtype: DType, exactly: Bool = false
  ) -> [Mismatch] {
    var mismatches: [Mismatch] = []
    for (index, (step, outcome)) in zip(steps, outcomes).enumerated() {
      if test.result == "acceptable", let refusal = test.error, outcome.error == refusal, step.expect.error == nil { break }
      mismatches += check(step.expect, outcome, dtype: dtype, step: index, op: step.op, exactly: exactly)
    }
    return mismatches
  }

  /// The mismatches of one step. With `exactly`, every element must carry
  /// the canonical encoding (the exact reference's own standard); otherwise
  /// the spec's acceptance applies.
  public static func check(
    _ expect: Expectation, _ outcome: StepOutcome, dtype: DType, step: Int, op: String, exactly: Bool = false
  ) -> [Mismatch] {
    if let error = expect.error {
      return outcome.error == error ? [] : [Mismatch(step: step, op: op, what: "expected error \(error), got \(outcome.error ?? "no error")")]
    }
    if let error = outcome.error {
      return [Mismatch(step: step, op: op, what: "unexpected error \(error)")]
    }
    var mismatches: [Mismatch] = []
    for (name, expected, got) in [("weight", expect.weight, outcome.weight), ("output", expect.output, outcome.output)] {
      guard let expected else { continue }
      guard let got else {
        mismatches.append(Mismatch(step: step, op: op, what: "no \(name) in the outcome"))
        continue
      }
      guard got.count == expected.bits.count, zip(got, expected.bits).allSatisfy({ $0.count == $1.count }) else {
        mismatches.append(Mismatch(step: step, op: op, what: "\(name) has the wrong shape"))
        continue
      }
      for i in 0..<got.count {
        for j in 0..<got[i].count {
          let canonical = expected.bits[i][j]
          let bound = expected.bound[i][j]
          guard let gotBits = UInt64(got[i][j], radix: 16), got[i][j].count == dtype.hexDigits else {
            mismatches.append(Mismatch(step: step, op: op, what: "\(name) element is not a \(dtype) encoding: \"\(got[i][j])\"", row: i, column: j))
            continue
          }
          guard let reference = element(bits: canonical, exact: expected.exact[i][j], bound: bound, dtype: dtype) else {
            mismatches.append(Mismatch(step: step, op: op, what: "unreadable expectation", row: i, column: j))
            continue
          }
          let canonicalBits = UInt64(canonical, radix: 16) ?? 0
          let accepted =
            exactly
            ? ExtendedRational(bits: gotBits, dtype: dtype) == reference.value
            : reference.accepts(bits: gotBits, dtype: dtype)
          if !accepted {
            mismatches.append(
              Mismatch(
                step: step, op: op, what: "\(name) element differs", row: i, column: j, exact: expected.exact[i][j],
                expectedBits: canonical, gotBits: got[i][j], ulps: ulps(gotBits, canonicalBits, dtype: dtype), bound: bound))
          }
        }
      }
    }
    return mismatches
  }
}
