import GRDB

// The journal's closed sets are stored as their raw values, as they were when they were
// strings: GRDB reads and writes a String-backed enum through its raw value.
extension FailoverKind: DatabaseValueConvertible {}
extension FailoverStatus: DatabaseValueConvertible {}
extension StepStatus: DatabaseValueConvertible {}
extension FailoverStepName: DatabaseValueConvertible {}
extension SwitchMode: DatabaseValueConvertible {}
extension ServicePhase: DatabaseValueConvertible {}
