import DiscoveryClient
import Foundation
import Testing

@Suite("The files failoverctl watch writes")
struct ClientConfigurationTests {
  static let state: FollowerState = {
    var d = LeaseBookTests.doc(epoch: 3, cluster: "west")
    d.properties = ["acks": "all", "client.rack": "it's=here"]
    var book = LeaseBook()
    return book.received(d, at: .now)!
  }()
  static let at = Date(timeIntervalSince1970: 1_800_000_000)

  @Test func propertiesCarryTheClusterThenTheServiceEscaped() {
    let text = ClientConfiguration.render(Self.state, as: .properties, writtenAt: Self.at)
    let lines = text.split(separator: "\n").map(String.init)
    #expect(lines[0].hasPrefix("# written by failoverctl watch for service orders at 2027-01-15T08:00:00Z"))
    #expect(
      Array(lines.dropFirst()) == [
        "bootstrap.servers=west:9092", "acks=all", "client.rack=it's=here", "failoverctl.service=orders",
        "failoverctl.epoch=3", "failoverctl.cluster=west", "failoverctl.writable=true",
        "failoverctl.topics.produce=orders", "failoverctl.topics.consume=orders", "failoverctl.consumer.groups=g",
        "failoverctl.lease.seconds=15",
      ])
  }

  @Test func envQuotesForTheShell() throws {
    let text = ClientConfiguration.render(Self.state, as: .env, writtenAt: Self.at)
    #expect(text.contains("KAFKA_BOOTSTRAP_SERVERS='west:9092'\n"))
    #expect(text.contains("KAFKA_CLIENT_RACK='it'\\''s=here'\n"))
    #expect(text.contains("FAILOVERCTL_WRITABLE='true'\n"))
    #expect(text.contains("FAILOVERCTL_TOPICS_CONSUME='orders'\n"))
  }

  @Test func jsonIsOneObject() throws {
    let text = ClientConfiguration.render(Self.state, as: .json, writtenAt: Self.at)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    #expect(object["epoch"] as? Int == 3 && object["writable"] as? Bool == true)
    #expect((object["topics"] as? [String: [String]])?["produce"] == ["orders"])
  }

  @Test func aFileIsReplacedWholeAndAMissingDirectoryIsAClearError() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let path = dir.appendingPathComponent("client.properties").path
    try AtomicFile.write("a=1\n", to: path)
    try AtomicFile.write("a=2\n", to: path)
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "a=2\n")
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["client.properties"])
    #expect(throws: AtomicFile.WriteError.self) { try AtomicFile.write("x", to: dir.path + "/nope/file") }
  }
}
