#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The `bone` command-line tool: dispatches to its subcommands.
@main
struct Bone {
  /// Every subcommand, in the order the usage lists them.
  static var commands: [any Command.Type] { [ConformanceCommand.self, TesteeCommand.self, VectorsCommand.self, RoundCommand.self, ExactCommand.self, BenchCommand.self, BenchExactCommand.self] }

  static var usage: String {
    let table = commands.map { "  \($0.name.padding(10)) \($0.abstract)" }.joined(separator: "\n")
    return """
      bone: the bone-spec tool (BONE and BAT reference specification and conformance suite)

      Usage: bone COMMAND [ARGUMENTS]

      Commands:
      \(table)
        help       Print this text, or a command's usage with 'bone help COMMAND'.
      """
  }

  static func main() {
    var arguments = Array(CommandLine.arguments.dropFirst())
    guard let name = arguments.first else {
      printError(usage)
      exit(64)
    }
    arguments.removeFirst()
    if name == "help" || name == "--help" || name == "-h" {
      if let topic = arguments.first {
        guard let command = commands.first(where: { $0.name == topic }) else {
          printError("bone: unknown command \(topic)\n\n\(usage)")
          exit(64)
        }
        print(command.usage)
      } else {
        print(usage)
      }
      exit(0)
    }
    guard let command = commands.first(where: { $0.name == name }) else {
      printError("bone: unknown command \(name)\n\n\(usage)")
      exit(64)
    }
    do {
      let instance = try command.init(arguments: arguments)
      exit(try instance.run())
    } catch let error as UsageError {
      printError("bone \(name): \(error)\n\nUsage:\n\(command.usage)")
      exit(64)
    } catch {
      printError("bone \(name): \(error)")
      exit(1)
    }
  }

  static func printError(_ text: String) {
    var standardError = StandardError()
    print(text, to: &standardError)
  }
}

/// Standard error as a text stream.
struct StandardError: TextOutputStream {
  mutating func write(_ string: String) {
    var text = string
    text.withUTF8 { buffer in _ = Glibc.write(2, buffer.baseAddress, buffer.count) }
  }
}
