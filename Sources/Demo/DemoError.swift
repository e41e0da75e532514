/// Why the demo could not go on.
public struct DemoError: Error, CustomStringConvertible {
  public let description: String
  init(_ description: String) { self.description = description }
}
