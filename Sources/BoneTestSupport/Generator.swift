/// A generator of values of one type, built on a `ChoiceSource`.
///
/// Generators compose with `map`, `flatMap` and `filter`; every one of them
/// shrinks through its choices (see `ChoiceSource`).
public struct Gen<Value> {
  /// Produces a value from choices.
  public let generate: (inout ChoiceSource) throws(GenerationError) -> Value

  /// A generator from a function of a choice source. The function must map
  /// choice 0 to its simplest value.
  public init(_ generate: @escaping (inout ChoiceSource) throws(GenerationError) -> Value) {
    self.generate = generate
  }

  /// Always `value`, making no choice.
  public static func constant(_ value: Value) -> Gen<Value> {
    Gen { _ in value }
  }

  /// The values of this generator transformed by `transform`.
  public func map<T>(_ transform: @escaping (Value) -> T) -> Gen<T> {
    Gen<T> { source throws(GenerationError) in transform(try generate(&source)) }
  }

  /// A generator chosen by the values of this one (a dependent draw).
  public func flatMap<T>(_ next: @escaping (Value) -> Gen<T>) -> Gen<T> {
    Gen<T> { source throws(GenerationError) in try next(try generate(&source)).generate(&source) }
  }

  /// The values that satisfy `predicate`, drawing again up to `attempts` times.
  ///
  /// - Note: A filter that rejects all its attempts fails the generation; the
  ///   property runner reports that as a health problem, never as a pass.
  public func filter(attempts: Int = 100, _ predicate: @escaping (Value) -> Bool) -> Gen<Value> {
    Gen { source throws(GenerationError) in
      for _ in 0..<attempts {
        let value = try generate(&source)
        if predicate(value) { return value }
      }
      throw .filterRejected(attempts: attempts)
    }
  }

  /// Pairs of values of this generator and `other`.
  public func zip<T>(_ other: Gen<T>) -> Gen<(Value, T)> {
    Gen<(Value, T)> { source throws(GenerationError) in (try generate(&source), try other.generate(&source)) }
  }
}

extension Gen {
  /// One of `generators`, picked by a choice (the first is the simplest).
  public static func oneOf(_ generators: [Gen<Value>]) -> Gen<Value> {
    precondition(!generators.isEmpty, "oneOf needs at least one generator")
    return Gen { source throws(GenerationError) in
      let index = Int(try source.choose(upTo: UInt64(generators.count - 1)))
      return try generators[index].generate(&source)
    }
  }

  /// One of `values`, picked by a choice (the first is the simplest).
  public static func element(of values: [Value]) -> Gen<Value> {
    precondition(!values.isEmpty, "element(of:) needs at least one value")
    return Gen { source throws(GenerationError) in
      values[Int(try source.choose(upTo: UInt64(values.count - 1)))]
    }
  }

  /// Arrays of this generator's values with a length in `count`.
  public func array(count: ClosedRange<Int>) -> Gen<[Value]> {
    let length = Gen<Int>.integer(in: count)
    return Gen<[Value]> { source throws(GenerationError) in
      let n = try length.generate(&source)
      var values: [Value] = []
      values.reserveCapacity(n)
      for _ in 0..<n { values.append(try generate(&source)) }
      return values
    }
  }
}

extension Gen where Value == Bool {
  /// false or true; false is simpler.
  public static var bool: Gen<Bool> {
    Gen { source throws(GenerationError) in try source.choose(upTo: 1) == 1 }
  }
}
