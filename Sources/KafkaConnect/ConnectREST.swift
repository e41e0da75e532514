import CurlHTTP
import Foundation

/// `ConnectControl` over HTTP through libcurl.
public struct ConnectREST: ConnectControl {
  public let http: HTTPClient

  public init(http: HTTPClient) { self.http = http }

  public static let fencingTokenHeader = "X-Failoverctl-Fencing-Token"

  public func set(_ verb: ConnectVerb, connectors: [String], at baseURL: String, fencingToken: Int64?) async throws
    -> [String]
  {
    let headers = fencingToken.map { [HTTPHeader(Self.fencingTokenHeader, String($0))] } ?? []
    var notes: [String] = []
    for connector in connectors {
      let url = URLJoin.join(baseURL, ConnectPath.action(verb, connector))
      do {
        // Connect answers 202 and the call is idempotent.
        let response = try await http.put(url, body: [], headers: headers, timeout: .seconds(5))
        guard (200..<300).contains(response.status) || response.status == 404 else {
          throw ConnectError(.refused, "\(verb) \(connector): HTTP \(response.status)")
        }
        notes.append(response.status == 404 ? "\(connector): not found" : "\(connector) \(verb.past)")
      } catch let error as CurlError {
        notes.append("\(connector): \(verb) not possible now (\(error))")
      }
    }
    return notes
  }

  public func status(of connector: String, at baseURL: String, timeout: Duration) async throws -> ConnectStatusAnswer {
    let response = try await http.send(
      HTTPRequest(
        url: URLJoin.join(baseURL, ConnectPath.status(connector)), connectTimeout: min(timeout, .seconds(2)),
        timeout: timeout))
    switch response.status {
    case 200:
      guard let status = try? JSONDecoder().decode(ConnectorStatus.self, from: Data(response.body)) else {
        return .undecodable
      }
      return .found(status)
    case 404: return .missing
    default: return .refused(response.status)
    }
  }
}
