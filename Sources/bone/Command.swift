import BoneFast

/// A subcommand of `bone`: a name, a one-line abstract, usage text, parsing
/// of its arguments and a run, in the manner of swift-argument-parser.
protocol Command {
  /// The word that selects the command.
  static var name: String { get }
  /// One line for the command table.
  static var abstract: String { get }
  /// The synopsis and options.
  static var usage: String { get }
  /// Parses the arguments after the command's name.
  init(arguments: [String]) throws(UsageError)
  /// Runs the command and returns its exit status.
  func run() throws -> Int32
}

/// A command line that does not fit a command's usage; exits with status 64.
struct UsageError: Error, CustomStringConvertible {
  /// What is wrong.
  let message: String

  init(_ message: String) {
    self.message = message
  }

  var description: String { message }
}

/// Splits arguments into positional ones and `--option value` pairs, rejecting
/// unknown options and repeated ones.
struct ParsedArguments {
  /// Arguments that are not options or option values, in order.
  var positional: [String] = []
  /// Option values by option name (without dashes).
  var options: [String: [String]] = [:]

  /// Flags given (options that take no value).
  var flags: Set<String> = []

  init(_ arguments: [String], options known: Set<String>, repeatable: Set<String> = [], flags knownFlags: Set<String> = [])
    throws(UsageError)
  {
    var index = 0
    while index < arguments.count {
      let argument = arguments[index]
      if argument.hasPrefix("--") {
        let name = String(argument.dropFirst(2))
        if knownFlags.contains(name) {
          flags.insert(name)
          index += 1
          continue
        }
        guard known.contains(name) else { throw UsageError("unknown option \(argument)") }
        guard index + 1 < arguments.count else { throw UsageError("\(argument) needs a value") }
        if options[name] != nil && !repeatable.contains(name) { throw UsageError("\(argument) given twice") }
        options[name, default: []].append(arguments[index + 1])
        index += 2
      } else {
        positional.append(argument)
        index += 1
      }
    }
  }
}

extension ParsedArguments {
  /// The `--instructions` option: a copy of the fast kernels this processor
  /// supports, or the fastest one when the option is absent.
  func instructions() throws(UsageError) -> FastInstructions {
    guard let name = options["instructions"]?.first else { return .best }
    guard let choice = FastInstructions(rawValue: name) else {
      throw UsageError("unknown instructions \(name); choose \(FastInstructions.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    guard choice.isSupported else { throw UsageError("this processor does not support the \(name) kernels") }
    return choice
  }
}
