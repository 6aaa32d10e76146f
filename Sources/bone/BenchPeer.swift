import Foundation

/// The PyTorch + PEFT peer of `bone bench --peer`
/// (`Tests/Interop/peft/bench_peft.py`): one process for the whole run,
/// asked for each case in blocks of runs, each right after this side has
/// timed a block of its own, so that the two columns of a row sample the
/// same seconds of a machine whose speed drifts.
final class BenchPeer {
  /// What the peer runs on: "torch …, peft …, n threads".
  private(set) var versions = ""

  private let process = Process()
  private let requests: FileHandle
  private let replies: FileHandle
  private var pending = Data()

  /// Starts the peer with `python` and reads its versions.
  ///
  /// - Throws: `BenchError` when the Python is missing, the peer does not
  ///   start or its first line is not its versions.
  init(python: String) throws {
    guard FileManager.default.isExecutableFile(atPath: python) else {
      throw BenchError("\(python) does not exist: run Tests/Interop/peft/setup.sh first, or pass --python")
    }
    let input = Pipe()
    let output = Pipe()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = ["Tests/Interop/peft/bench_peft.py"]
    process.standardInput = input
    process.standardOutput = output
    requests = input.fileHandleForWriting
    replies = output.fileHandleForReading
    do {
      try process.run()
    } catch {
      throw BenchError("the peer did not start: \(error)")
    }
    struct Hello: Decodable {
      var torch: String
      var peft: String
      var threads: Int
    }
    let hello = try Self.decode(Hello.self, try nextLine())
    versions = "torch \(hello.torch), peft \(hello.peft), \(hello.threads) threads"
  }

  deinit {
    try? requests.close()
    process.waitUntilExit()
  }

  /// The peer's times of at least `runs` runs of the case, in seconds, and
  /// more until they add up to `leastSeconds`.
  func seconds(_ benchCase: BenchCommand.Case, runs: Int, leastSeconds: Double) throws -> [Double] {
    struct Request: Encodable {
      var runs: Int
      var seconds: Double
      var `case`: BenchCommand.Case
    }
    let request = Request(runs: runs, seconds: leastSeconds, case: benchCase)
    do {
      try requests.write(contentsOf: try JSONEncoder().encode(request) + Data("\n".utf8))
    } catch {
      throw BenchError("the peer stopped taking cases: \(error)")
    }
    struct Reply: Decodable { var seconds: [Double] }
    let reply = try Self.decode(Reply.self, try nextLine())
    guard reply.seconds.count >= runs, reply.seconds.reduce(0, +) >= leastSeconds else {
      throw BenchError("the peer timed \(reply.seconds.count) runs adding up to \(reply.seconds.reduce(0, +)) s, not at least \(runs) and \(leastSeconds) s")
    }
    waitUntilIdle()
    return reply.seconds
  }

  /// Returns once the peer's threads have stopped running: PyTorch's OpenMP
  /// workers spin for some milliseconds after each parallel region (seen
  /// here: 4–8 ms of CPU), and a block of ours timed meanwhile would share
  /// the cores with them. Idle means under 0.1 ms of CPU in 2 ms, by the
  /// scheduler's counts in `/proc/<pid>/task/*/schedstat`; where those
  /// cannot be read, it waits 50 ms. It gives up after one second.
  private func waitUntilIdle() {
    let tasks = "/proc/\(process.processIdentifier)/task"
    /// The nanoseconds all the peer's threads have run, or nil.
    func ranNanoseconds() -> UInt64? {
      guard let threads = try? FileManager.default.contentsOfDirectory(atPath: tasks), !threads.isEmpty else { return nil }
      var total: UInt64 = 0
      for thread in threads {
        // A thread that ended since the listing runs no more.
        guard let text = try? String(contentsOfFile: "\(tasks)/\(thread)/schedstat", encoding: .utf8) else { continue }
        guard let first = text.split(separator: " ").first, let value = UInt64(first) else { return nil }
        total += value
      }
      return total
    }
    guard var before = ranNanoseconds() else {
      Thread.sleep(forTimeInterval: 0.05)
      return
    }
    let deadline = ContinuousClock.now + .seconds(1)
    while ContinuousClock.now < deadline {
      Thread.sleep(forTimeInterval: 0.002)
      guard let after = ranNanoseconds() else { return }
      if after &- before < 100_000 { return }
      before = after
    }
  }

  /// The next line the peer prints, without its newline.
  private func nextLine() throws -> Data {
    while true {
      if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
        let line = pending[pending.startIndex..<newline]
        pending = Data(pending[(newline + 1)...])
        return Data(line)
      }
      let more = replies.availableData
      guard !more.isEmpty else {
        process.waitUntilExit()
        throw BenchError("the peer \(process.arguments?.last ?? "") ended (status \(process.terminationStatus)) before answering")
      }
      pending += more
    }
  }

  private static func decode<T: Decodable>(_: T.Type, _ line: Data) throws -> T {
    do {
      return try JSONDecoder().decode(T.self, from: line)
    } catch {
      throw BenchError("the peer's line is not what bench_peft.py prints: \(String(decoding: line, as: UTF8.self))")
    }
  }
}
