import Essentials
import Foundation
import Hummingbird
import NIOCore

extension InferenceServer {
    /// Every route, behind `APIMiddleware`.
    func makeRouter() -> Router<ServerRequestContext> {
        let router = Router(context: ServerRequestContext.self)
        router.add(middleware: APIMiddleware(apiKey: configuration.apiKey, metrics: metrics))
        router.post("/v1/chat/completions") { request, context in try await self.generation(request, context: context, route: .chat) }
        router.post("/v1/completions") { request, context in try await self.generation(request, context: context, route: .completion) }
        router.get("/v1/models") { _, _ in self.modelsResponse() }
        router.post("/v1/adapters") { request, _ in try await self.loadAdapterResponse(request) }
        router.delete("/v1/adapters/:name") { _, context in
            try await self.unloadAdapterResponse(name: context.parameters.require("name"))
        }
        router.get("/health") { _, _ in self.healthResponse() }
        router.get("/metrics") { _, _ in
            let load = self.engine.load
            let text = self.metrics.prometheusText(admitted: load.admitted, waiting: load.waiting, adapters: self.engine.adapters.count)
                + self.engine.batchStatistics.prometheusText(maxBatch: self.engine.maxBatch) + self.rollout.prometheusText()
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
        return router
    }

    /// A JSON response.
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: value.text)))
    }

    /// `GET /v1/models`: `base` and each adapter, as OpenAI lists models.
    func modelsResponse() -> Response {
        let created = JSONValue.int(Int(startTime.timeIntervalSince1970))
        var data: [JSONValue] = [["id": "base", "object": "model", "created": created, "owned_by": "attune",
                                 "root": .string(modelName), "parent": .null]]
        for adapter in adapters.values.sorted(by: { $0.name < $1.name }) {
            data.append(Self.adapterJSON(adapter, created: created))
        }
        return Self.json(["object": "list", "data": .array(data)])
    }

    static func adapterJSON(_ adapter: AdapterInfo, created: JSONValue) -> JSONValue {
        ["id": .string(adapter.name), "object": "model", "created": created, "owned_by": "attune", "root": .string(adapter.folder),
         "parent": "base", "lora": ["r": .int(adapter.rank), "alpha": .number(adapter.alpha), "modules": .int(adapter.modules)]]
    }

    /// `POST /v1/adapters` `{"name": "triage", "path": "out/triage-lora", "force": false}`.
    func loadAdapterResponse(_ request: Request) async throws -> Response {
        let fields = try RequestFields(try await RequestBodyReader.json(request, limit: configuration.limits.maxBodyBytes))
        guard let name = try fields.string("name") else {
            throw APIError.invalid("'name' is missing: the name requests will put in 'model'", param: "name", code: "missing_required_parameter")
        }
        guard let path = try fields.string("path"), !path.isEmpty else {
            throw APIError.invalid("'path' is missing: the PEFT adapter folder (as `adapter save` writes it)", param: "path",
                                   code: "missing_required_parameter")
        }
        let info = try await loadAdapter(name: name, path: path, force: try fields.bool("force") ?? false)
        return Self.json(Self.adapterJSON(info, created: .int(Int(Date().timeIntervalSince1970))))
    }

    /// `DELETE /v1/adapters/NAME`.
    func unloadAdapterResponse(name: String) async throws -> Response {
        if name == "base" { throw APIError.invalid("'base' is the model itself and cannot be unloaded", param: "name") }
        try await unloadAdapter(name: name)
        return Self.json(["id": .string(name), "object": "model", "deleted": true])
    }

    /// `GET /health`.
    func healthResponse() -> Response {
        let load = engine.load
        return Self.json(["status": "ok", "model": .string(modelName), "adapters": .array(adapters.keys.sorted().map(JSONValue.string)),
                          "active_requests": .int(load.admitted), "queue_length": .int(load.waiting),
                          "uptime_seconds": .number((Date().timeIntervalSince(startTime) * 10).rounded() / 10)])
    }
}
