import Testing

@testable import KafkaClient

@Suite("Consumer protocol assignment bytes")
struct ConsumerAssignmentTests {
  @Test func decodesTopicsAndPartitionsAndToleratesTruncation() {
    // version 0; 2 topics: "ab" [0, 7], "c" [3]; empty user data.
    let bytes: [UInt8] = [
      0, 0, 0, 0, 0, 2,
      0, 2, 0x61, 0x62, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 7,
      0, 1, 0x63, 0, 0, 0, 1, 0, 0, 0, 3,
      0xff, 0xff, 0xff, 0xff,
    ]
    #expect(
      ConsumerAssignment.decode(bytes) == [TopicPartition("ab", 0), TopicPartition("ab", 7), TopicPartition("c", 3)])
    for n in 0..<bytes.count { _ = ConsumerAssignment.decode(Array(bytes.prefix(n))) }
    #expect(ConsumerAssignment.decode(Array(bytes.prefix(18))) == [TopicPartition("ab", 0)])
  }
}
