import AttuneLanguage
import AttuneRuntime
import AttuneServer
import Essentials
import Foundation

/// `serve adapter "PATH" name=NAME [force=true]`: one more PEFT adapter folder served by the
/// session's running server under NAME (what `POST /v1/adapters` does), so a rollout can try a
/// candidate beside the adapter `serve start` served, without a restart.
struct ServeAdapterCommand: RuntimeCommand {
    let spec = CommandSpec(["serve", "adapter"], usage: "serve adapter PATH name=NAME [force=true]",
                           summary: "serve one more adapter folder on the session's server")
    let schema = ArgumentSchema([
        .positional("path", .path, "a PEFT adapter folder (adapter_config.json and adapter_model.safetensors), as adapter save writes"),
        .keyed("name", .text, "the name requests put in `model` for it (letters, digits, - _ . :)"),
        .keyed("force", .bool, default: "false", "load an adapter whose config names another base model (shapes are still checked)"),
    ])
    let help = CommandHelp("""
        Loads a saved PEFT adapter into the server `serve start` began, beside what it already serves, under \
        name= (requests select it with "model": NAME). The server checks it against the served model as `adapter \
        load` does: the config's base model (force=true overrides) and every tensor's shape. The session's own \
        model and adapter do not change. `serve status` lists what is served; `serve rollout` can then shadow or \
        canary it.
        """, examples: ["serve adapter \"out/triage-bad\" name=bad", "serve adapter \"out/other-lora\" name=other force=true"])

    func run(_ context: CommandContext) throws {
        let a = context.arguments
        guard let written = a.word("path") else { return }
        guard let entry = ServeREPLCommands.current.withLock({ $0 }) else {
            throw CommandError("NotServing", "no server is running; start one with `serve start`, then add adapters to it")
        }
        guard let name = a.word("name") else {
            throw CommandError("MissingArgument", "serve adapter needs name=NAME: the name requests use for it, such as name=candidate",
                               at: context.range(of: "path"))
        }
        let pathRange = context.range(of: "path")
        let folder = try context.resolvePath(written, argument: "path")
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CommandError.notFound("no adapter folder at \(written): save one with `adapter save \"\(written)\"`, "
                                        + "or give the folder holding adapter_config.json", at: pathRange)
        }
        do { try context.session.paths.checkContents(of: folder) } catch { throw error.located(default: pathRange) }
        let server = entry.running.server, force = a.bool("force") ?? false
        let info: AdapterInfo
        do {
            info = try ServeREPLCommands.blocking { try await server.loadAdapter(name: name, path: folder.path, force: force) }
        } catch let error as CommandError {
            throw CommandError(error.name, error.message, at: context.range(of: error.message.contains("name") ? "name" : "path"))
        }
        context.result("serving \(written) as \(info.name): r=\(info.rank) alpha=\(NumberText.significant(info.alpha)) · \(info.modules) modules"
                       + " · now \(ServeREPLCommands.servedList(server))")
    }
}
