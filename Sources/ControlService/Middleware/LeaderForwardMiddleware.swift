import CurlHTTP
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Orchestrator

/// On a follower, a mutation (promote, demote, failover, failback, ack, abort, resume) is
/// carried out by the leader: the request goes there as it came (token and body), and its
/// answer comes back with `X-Failoverctl-Instance` naming who ran it. On the leader (and
/// standalone) the request runs here, with the same header naming this instance.
struct LeaderForwardMiddleware: RouterMiddleware {
  typealias Context = APIContext
  let controlPlane: any ControlPlane
  let http: HTTPClient
  let maxBody: Int

  static let instanceHeader = HTTPField.Name("X-Failoverctl-Instance")!

  func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response)
    async throws -> Response
  {
    let me = controlPlane.me
    if await controlPlane.leadership().isLeader {
      var response = try await next(request, context)
      response.headers[Self.instanceHeader] = me.instance
      return response
    }
    guard let leader = await controlPlane.leader(), leader.instance != me.instance, !leader.url.isEmpty else {
      throw APIError(
        status: .serviceUnavailable, code: "no-leader",
        message: "no orchestrator leads the control plane right now; retry in a few seconds")
    }
    let body = try await request.body.collect(upTo: maxBody)
    var headers: [HTTPHeader] = []
    for field in request.headers where [.authorization, .contentType].contains(field.name) {
      headers.append(HTTPHeader(field.name.rawName, field.value))
    }
    let path = request.uri.string
    let answer: CurlHTTP.HTTPResponse
    do {
      answer = try await http.send(
        CurlHTTP.HTTPRequest(
          method: request.method == .post ? .post : .get, url: URLJoin.join(leader.url, path), headers: headers,
          body: Array(buffer: body), timeout: .seconds(30)))
    } catch {
      throw APIError(
        status: .badGateway, code: "leader-unreachable",
        message: "the leader \(leader.instance) at \(leader.url) did not answer: \(error)")
    }
    var fields = HTTPFields()
    for h in answer.headers {
      if let name = HTTPField.Name(h.name), [.contentType, Self.instanceHeader].contains(name) {
        fields[name] = h.value
      }
    }
    fields[Self.instanceHeader] = fields[Self.instanceHeader] ?? leader.instance
    return Response(
      status: HTTPTypes.HTTPResponse.Status(code: answer.status), headers: fields,
      body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
  }
}
