import Foundation
import KafkaClient
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// A small HTTP/1.1 server on 127.0.0.1 for tests: real sockets, one thread per
/// connection, `Connection: close` unless `keepAlive` (then a connection answers requests
/// until the client closes it). Routes are closures over the parsed request.
public final class LoopbackHTTPServer: Sendable {
  public struct Request: Sendable {
    public let method: String
    public let path: String
    public let headers: [String: String]
    public let body: [UInt8]
  }

  public struct Response: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]
    public var delay: Duration

    public init(status: Int = 200, headers: [String: String] = [:], body: String = "", delay: Duration = .zero) {
      self.status = status
      self.headers = headers
      self.body = Array(body.utf8)
      self.delay = delay
    }
  }

  public let port: Int
  private let listener: Int32
  private let stopped = Mutex(false)
  private let served = ServedCount()
  public var baseURL: String { "http://127.0.0.1:\(port)" }
  /// Connections that carried at least one request so far. Not every accepted socket: in a
  /// parallel run another test's TCP probe or stale client can connect to a port this server
  /// has just been given, and close without a request (seen once: 4 for 3 requests).
  public var connections: Int { served.value.load(ordering: .relaxed) }

  public init(keepAlive: Bool = false, handler: @escaping @Sendable (Request) -> Response) throws {
    let (fd, port) = try LoopbackListener.open(backlog: 512)
    self.port = port
    listener = fd
    // Only this thread closes the listening socket, after shutdown() wakes its accept():
    // closing it from stop() could let accept() run on a descriptor number that another
    // test has reused by then.
    let served = self.served
    let thread = Thread {
      while true {
        let client = accept(fd, nil, nil)
        if client < 0 {
          close(fd)
          return
        }
        Thread { Self.serve(client, keepAlive: keepAlive, served: served, handler: handler) }.start()
      }
    }
    thread.start()
  }

  /// Idempotent; the accept thread closes the socket once shutdown() wakes it.
  public func stop() {
    let first = stopped.withLock { wasStopped in
      defer { wasStopped = true }
      return !wasStopped
    }
    guard first else { return }
    shutdown(listener, Int32(SHUT_RDWR))
  }

  deinit { stop() }

  private static func serve(
    _ fd: Int32, keepAlive: Bool, served: ServedCount, handler: @Sendable (Request) -> Response
  ) {
    defer { close(fd) }
    var first = true
    repeat {
      guard let request = readRequest(fd) else { return }
      if first { served.value.add(1, ordering: .relaxed) }
      first = false
      let response = handler(request)
      if response.delay > .zero {
        let (s, atto) = response.delay.components
        usleep(UInt32(s * 1_000_000 + atto / 1_000_000_000_000))
      }
      var head = "HTTP/1.1 \(response.status) Status\r\nContent-Length: \(response.body.count)\r\n"
      if !keepAlive { head += "Connection: close\r\n" }
      for (k, v) in response.headers { head += "\(k): \(v)\r\n" }
      head += "\r\n"
      writeAll(fd, Array(head.utf8) + response.body)
    } while keepAlive
  }

  private static func readRequest(_ fd: Int32) -> Request? {
    var data: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    let separator: [UInt8] = [13, 10, 13, 10]
    var headerEnd: Int? = nil
    while headerEnd == nil {
      let n = read(fd, &buffer, buffer.count)
      if n <= 0 { return nil }
      data += buffer[0..<n]
      // Not HTTP (e.g. a TLS ClientHello): answer 400 and close, as real servers do.
      if let first = data.first, !(65...90).contains(first) {
        writeAll(fd, Array("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n".utf8))
        return nil
      }
      headerEnd = data.firstRange(of: separator)?.lowerBound
    }
    let head = String(decoding: data[..<headerEnd!], as: UTF8.self).components(separatedBy: "\r\n")
    let requestLine = head[0].split(separator: " ")
    guard requestLine.count >= 2 else { return nil }
    var headers: [String: String] = [:]
    for line in head.dropFirst() {
      guard let colon = line.firstIndex(of: ":") else { continue }
      headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    let length = Int(headers["content-length"] ?? "0") ?? 0
    var body = Array(data[(headerEnd! + 4)...])
    while body.count < length {
      let n = read(fd, &buffer, buffer.count)
      if n <= 0 { break }
      body += buffer[0..<n]
    }
    return Request(method: String(requestLine[0]), path: String(requestLine[1]), headers: headers, body: body)
  }

  private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
    var offset = 0
    while offset < bytes.count {
      let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
      if n <= 0 { return }
      offset += n
    }
  }
}

/// A loopback port that is bound but not listening, held for the value's lifetime so no
/// other socket can take it: connecting to it is refused.
public final class ClosedPort: Sendable {
  public let port: Int
  private let fd: Int32

  public init() throws {
    let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = MockCluster.withListenerLock {
      withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
      }
    }
    guard bound == 0 else {
      close(socketFD)
      throw POSIXError(.EADDRINUSE)
    }
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &addr) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketFD, $0, &len) }
    }
    fd = socketFD
    port = Int(UInt16(bigEndian: addr.sin_port))
  }

  deinit { close(fd) }
}

/// The accept thread's count, shared with the server by reference.
private final class ServedCount: Sendable {
  let value = Atomic(0)
}
