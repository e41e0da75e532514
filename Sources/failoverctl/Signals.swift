import Dispatch
import Foundation

/// Suspends until SIGINT or SIGTERM arrives and returns which one.
func waitForTerminationSignal() async -> Int32 {
  let queue = DispatchQueue(label: "failoverctl.signals")
  let (stream, continuation) = AsyncStream<Int32>.makeStream()
  var sources: [any DispatchSourceSignal] = []
  for sig in [SIGINT, SIGTERM] {
    signal(sig, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
    source.setEventHandler { continuation.yield(sig) }
    source.resume()
    sources.append(source)
  }
  var received = SIGTERM
  for await sig in stream {
    received = sig
    break
  }
  for source in sources { source.cancel() }
  return received
}
