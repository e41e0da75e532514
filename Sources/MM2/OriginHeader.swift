/// The headers a record copied by a recovery carries, naming its origin (failoverctl
/// recover): applications and the orchestrator recognise a copy by them, a resumed recovery
/// finds what it wrote, and MM2 is configured to leave such records where they are (Kafka
/// Connect's `Filter` transform with the `HasHeaderKey` predicate on `cluster`), so that
/// replication back does not copy them again as new ones.
public enum OriginHeader {
  public static let cluster = "failoverctl.origin.cluster"
  public static let topic = "failoverctl.origin.topic"
  public static let partition = "failoverctl.origin.partition"
  public static let offset = "failoverctl.origin.offset"
}
