import GRDB
import Yams
public enum Placeholder { public static func v() -> String { (try? Yams.dump(object: ["a": 1])) ?? "" } }
