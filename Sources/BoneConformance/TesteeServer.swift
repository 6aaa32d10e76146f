import BoneLayers
import Foundation

/// Serves the testee protocol over standard input and output for an
/// in-process implementation (`bone testee`).
public struct TesteeServer {
  /// The implementation.
  public let implementation: VectorChecker.ScenarioImplementation
  /// The name given in the handshake.
  public let name: String
  /// The policies announced in the handshake.
  public let policies: [DevicePolicy]

  /// A server.
  public init(name: String, policies: [DevicePolicy], implementation: @escaping VectorChecker.ScenarioImplementation) {
    self.name = name
    self.policies = policies
    self.implementation = implementation
  }

  /// The answer to one request line.
  public func respond(to line: String) -> String {
    let decoder = JSONDecoder()
    let data = Data(line.utf8)
    if let hello = try? decoder.decode(HelloMessage.self, from: data), hello.type == "hello" {
      return encode(HelloMessage(name: name, version: VectorGenerator.version, dtypes: DType.allCases.map(\.rawValue), policies: policies.map(\.rawValue)))
    }
    guard let request = try? decoder.decode(CaseRequest.self, from: data) else {
      return encode(CaseResponse(type: "skipped", id: "", reason: "not a request of \(testeeProtocol)"))
    }
    guard let dtype = DType(name: request.dtype), let policy = DevicePolicy(rawValue: request.policy), let run = implementation(dtype, policy) else {
      return encode(CaseResponse(type: "skipped", id: request.id, reason: "\(request.dtype) under the \(request.policy) policy is not supported"))
    }
    do {
      return encode(CaseResponse(type: "result", id: request.id, outcomes: try run(request.layer, request.steps)))
    } catch {
      return encode(CaseResponse(type: "skipped", id: request.id, reason: "\(error)"))
    }
  }

  func encode<T: Encodable>(_ value: T) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? "{}"
  }

  /// Reads requests until end of input, answering each on its own line.
  public func serve() {
    while let line = readLine() {
      guard !line.isEmpty else { continue }
      // Unbuffered, so that the runner sees each answer at once.
      FileHandle.standardOutput.write(Data((respond(to: line) + "\n").utf8))
    }
  }
}
