import KafkaClient
import Orchestrator
import Testing

@Suite("A recovery's marks in its shared audit entry")
struct RecoveryMarksTests {
  @Test func marksRoundTripThroughTheAuditDetails() {
    let marks: [TopicPartition: Int64] = [
      TopicPartition("orders", 0): 120, TopicPartition("odd[1]@x", 3): 7, TopicPartition("orders", 1): 0,
    ]
    let details = "into=active recovery=4 \(RecoveryMarks.encode(marks)) reason=east is back, marks=nothing"
    #expect(details.contains("marks=odd[1]@x[3]@7,orders[0]@120,orders[1]@0 "))
    #expect(RecoveryMarks.parse(details) == marks)
    // Entries written before marks existed, or damaged ones, give none.
    #expect(RecoveryMarks.parse("into=active recovery=4").isEmpty)
    #expect(RecoveryMarks.parse("marks=orders[x]@1,orders0@2,orders[0]@") == [:])
  }
}
