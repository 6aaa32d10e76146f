import BoneLayers

/// The protocol name and version (`Spec/TESTEE.md`).
public let testeeProtocol = "bone-testee/1"

/// The handshake, both ways.
public struct HelloMessage: Codable, Equatable, Sendable {
  /// Always `hello`.
  public var type = "hello"
  /// `bone-testee/1`.
  public var `protocol`: String
  /// The testee's name (testee only).
  public var name: String?
  /// The testee's version (testee only).
  public var version: String?
  /// Supported dtypes (testee only).
  public var dtypes: [String]?
  /// Supported policies (testee only).
  public var policies: [String]?

  /// A hello.
  public init(protocol: String = testeeProtocol, name: String? = nil, version: String? = nil, dtypes: [String]? = nil, policies: [String]? = nil) {
    self.protocol = `protocol`
    self.name = name
    self.version = version
    self.dtypes = dtypes
    self.policies = policies
  }
}

/// A case sent to the testee: a scenario without its expectations.
public struct CaseRequest: Codable, Equatable, Sendable {
  /// Always `case`.
  public var type = "case"
  /// `<file>#<tcId>`.
  public var id: String
  /// The dtype.
  public var dtype: String
  /// The policy.
  public var policy: String
  /// The initial layer.
  public var layer: LayerSpec
  /// The steps; their `expect` is empty.
  public var steps: [Step]
}

/// The testee's answer to a case.
public struct CaseResponse: Codable, Equatable, Sendable {
  /// `result` or `skipped`.
  public var type: String
  /// The case's id.
  public var id: String
  /// One outcome per step (`result`).
  public var outcomes: [StepOutcome]?
  /// Why it was skipped (`skipped`).
  public var reason: String?

  /// A response.
  public init(type: String, id: String, outcomes: [StepOutcome]? = nil, reason: String? = nil) {
    self.type = type
    self.id = id
    self.outcomes = outcomes
    self.reason = reason
  }
}

extension Step {
  /// The step as a testee receives it: without its expectation.
  public var request: Step {
    var step = self
    step.expect = Expectation()
    return step
  }
}
