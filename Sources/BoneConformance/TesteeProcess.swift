import Foundation

/// A testee process: its command started through `/bin/sh -c`, requests
/// written to its standard input, response lines read with a timeout. Its
/// standard error passes through.
final class TesteeProcess: @unchecked Sendable {
  /// How reading a line ended.
  enum Line {
    case line(String)
    case timeout
    case closed
  }

  private let process = Process()
  private let input = Pipe()
  private let output = Pipe()
  private let lock = NSLock()
  private let available = DispatchSemaphore(value: 0)
  private var lines: [String] = []
  private var closed = false
  private var partial = Data()

  /// Starts `command`.
  ///
  /// - Throws: when the shell cannot be started.
  init(command: String) throws {
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    process.standardInput = input
    process.standardOutput = output
    output.fileHandleForReading.readabilityHandler = { [weak self] handle in
      self?.receive(handle.availableData)
    }
    try process.run()
  }

  private func receive(_ data: Data) {
    lock.lock()
    defer { lock.unlock() }
    if data.isEmpty {
      if !closed {
        closed = true
        output.fileHandleForReading.readabilityHandler = nil
        available.signal()
      }
      return
    }
    partial.append(data)
    while let newline = partial.firstIndex(of: 0x0A) {
      lines.append(String(decoding: partial[partial.startIndex..<newline], as: UTF8.self))
      partial = Data(partial[partial.index(after: newline)...])
      available.signal()
    }
  }

  /// Writes one line; false when the testee no longer reads.
  func send(_ line: String) -> Bool {
    guard process.isRunning else { return false }
    do {
      try input.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
      return true
    } catch {
      return false
    }
  }

  /// The next line, waiting at most `timeout` seconds.
  func readLine(timeout: Double) -> Line {
    let deadline = DispatchTime.now() + timeout
    while true {
      lock.lock()
      if !lines.isEmpty {
        let line = lines.removeFirst()
        lock.unlock()
        return .line(line)
      }
      if closed {
        lock.unlock()
        return .closed
      }
      lock.unlock()
      if available.wait(timeout: deadline) == .timedOut { return .timeout }
    }
  }

  /// Stops the process and everything it started (a shell's children would
  /// otherwise outlive it, a hung one for good): closes its input, then kills
  /// the whole tree.
  func stop() {
    try? input.fileHandleForWriting.close()
    if process.isRunning {
      let tree = Self.descendants(of: process.processIdentifier)
      kill(process.processIdentifier, SIGKILL)
      for pid in tree { kill(pid, SIGKILL) }
      process.waitUntilExit()
    }
    output.fileHandleForReading.readabilityHandler = nil
  }

  /// Every process below `root`, from the parent ids in /proc.
  static func descendants(of root: Int32) -> [Int32] {
    var children: [Int32: [Int32]] = [:]
    for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
      guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
      else { continue }
      // Fields after the command: state, then the parent id.
      let fields = stat[stat.index(after: close)...].split(separator: " ")
      if fields.count > 1, let parent = Int32(fields[1]) { children[parent, default: []].append(pid) }
    }
    var result: [Int32] = []
    var pending = [root]
    while let pid = pending.popLast() {
      for child in children[pid] ?? [] {
        result.append(child)
        pending.append(child)
      }
    }
    return result
  }

  deinit { stop() }
}
