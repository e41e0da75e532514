import DiscoveryClient
import Testing

@Suite("Server-sent events as the standard reads them")
struct EventStreamParserTests {
  @Test func eventsCutAnywhereComeOutWhole() {
    let text =
      "retry: 1000\n\nid: 3\nevent: discovery\ndata: {\"a\":1}\n\n: heartbeat\n\nid: 4\r\ndata: x\r\ndata: y\r\n\r\n"
    for cut in 1..<text.utf8.count {
      var p = EventStreamParser()
      let bytes = Array(text.utf8)
      let events = p.feed(bytes[..<cut]) + p.feed(bytes[cut...])
      #expect(
        events == [
          ServerSentEvent(id: "3", event: "discovery", data: "{\"a\":1}"),
          ServerSentEvent(id: "4", event: "message", data: "x\ny"),
        ], "cut at \(cut)")
      #expect(p.retry == 1000 && p.comments == 1)
    }
  }

  @Test func aBlockWithoutDataDispatchesNothingAndUnknownFieldsAreIgnored() {
    var p = EventStreamParser()
    #expect(
      p.feed(Array("event: discovery\nfoo: bar\n\nid\ndata\n\n".utf8)) == [
        ServerSentEvent(id: "", event: "message", data: "")
      ])
  }
}
