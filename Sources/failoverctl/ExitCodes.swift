import ArgumentParser
import ControlService
import ControlServiceClient
import CurlHTTP
import Etcd
import Foundation
import KafkaClient
import Orchestrator
import Topology

/// Exit codes scripts can rely on (sysexits.h values where one fits); docs/cli.md lists them.
enum Exit {
  static let invalid = ExitCode(1)
  static let partial = ExitCode(3)
  /// A failover ended failed or aborted: the service may stay fenced (see `history`).
  static let failoverFailed = ExitCode(4)
  static let noInput = ExitCode(66)
  /// The state refused the request (already active, another change won, unhealthy
  /// target of a planned promote): look at `status` and decide.
  static let conflict = ExitCode(75)
  /// The token is missing, unknown, or of too small a role.
  static let notPermitted = ExitCode(77)
  static let unavailable = ExitCode(69)
  static let software = ExitCode(70)
  static let cannotCreate = ExitCode(73)
  static let store = ExitCode(74)
}

func printError(_ message: String) {
  FileHandle.standardError.write(Data("failoverctl: \(message)\n".utf8))
}

/// Turns the errors every command can meet into a message and a documented exit code.
func reportFailure(_ error: Error) -> ExitCode {
  switch error {
  case let e as ConfigError:
    FileHandle.standardError.write(Data("\(e)\n".utf8))
    return Exit.invalid
  case let e as ConfigReadError:
    printError(e.description)
    return Exit.noInput
  case let e as StoreError:
    printError(e.description)
    return Exit.store
  case let e as KafkaError where [.timedOut, .unreachable].contains(e.kind):
    printError("Kafka unavailable: \(e)")
    return Exit.unavailable
  case let e as CurlError:
    printError("HTTP endpoint unavailable: \(e)")
    return Exit.unavailable
  case let e as EtcdError:
    printError("\(e) (is etcd running? see docs/high-availability.md)")
    return Exit.unavailable
  case let e as ControlServerError:
    printError(e.description)
    return Exit.invalid
  case let e as ControlClientError:
    printError(e.message)
    switch e.code {
    case .unreachable: return Exit.unavailable
    case .undecodable: return Exit.software
    case .refused(401), .refused(403): return Exit.notPermitted
    case .refused(409): return Exit.conflict
    case .refused(400), .refused(404), .refused(413), .refused(422): return Exit.invalid
    case .refused(503): return Exit.unavailable
    case .refused: return Exit.software
    }
  case let e as ExitCode:
    return e
  default:
    printError("\(error)")
    return Exit.software
  }
}

/// What `main` exits with: this project's errors through `reportFailure`; the argument
/// parser's own (usage, help, version) as they are.
func exitError(_ error: Error) -> Error {
  switch error {
  case is ConfigError, is ConfigReadError, is StoreError, is KafkaError, is CurlError, is ControlClientError,
    is ControlServerError, is EtcdError:
    reportFailure(error)
  default:
    error
  }
}
