import Foundation
import XCTest
@testable import AttuneRuntime

/// `export trl` and `export axolotl`: the mapping covers every hyperparameter, the files are
/// written, parse, and name every setting; bad input gives clear errors.
final class ScaleOutExportTests: XCTestCase {
    /// Every key `set` accepts is mapped to TRL and Axolotl fields or marked as having no
    /// equivalent with a reason.
    func testTheMappingCoversEveryHyperparameter() {
        XCTAssertEqual(ScaleOutMapping.rows.map(\.key), HyperparameterTable.names, "one row per key, in the table's order")
        for spec in HyperparameterTable.all {
            guard let row = ScaleOutMapping.row(spec.name) else { XCTFail("\(spec.name) has no row in ScaleOutMapping"); continue }
            for (tool, target) in [("trl", row.trl), ("axolotl", row.axolotl)] {
                switch target {
                case .fields(let names): XCTAssertFalse(names.isEmpty, "\(spec.name) → \(tool): no field named")
                case .noEquivalent(let reason): XCTAssertGreaterThan(reason.count, 20, "\(spec.name) → \(tool): give a reason")
                }
            }
        }
        for key in ScaleOutMapping.caveats.keys { XCTAssertNotNil(HyperparameterTable.spec(key), key) }
    }

    func testExportTRLWritesEverySettingAndParses() throws {
        let interpreter = try interpreterWithData()
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        ok(interpreter, "data split train=0.75 val=0.25 seed=7")
        ok(interpreter, "method lora r=4 alpha=8 targets=[q_proj, k_proj, v_proj] rslora=true")
        ok(interpreter, "set lr=3e-3 batch=2 accum=3 seq=512 steps=40 schedule=cosine warmup=5 weight_decay=0.01 grad_clip=0.5 dropout=0.1")
        ok(interpreter, "set eval_every=10 log_every=2 beta1=0.85 beta2=0.99 min_lr=1e-5 patience=2 min_delta=0.01 pack=true checkpointing=true seed=11")
        let out = folder.appendingPathComponent("trl")
        let text = ok(interpreter, "export trl \"\(out.path)\"")
        XCTAssertTrue(text.contains("data (train 18, validation 6)"), text)
        XCTAssertTrue(text.contains("accelerate launch --num_processes 2 train.py"), text)
        for name in ["train.py", "config.json", "README.md", "requirements.txt", "accelerate_config.yaml", "deepspeed_zero2.json",
                     "data/train.jsonl", "data/validation.jsonl", "base/config.json", "base/model.safetensors"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), name)
        }
        // The data: one messages object per line, the split's sizes.
        let train = try String(contentsOf: out.appendingPathComponent("data/train.jsonl"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(train.count, 18)
        let first = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(train[0].utf8)) as? [String: Any])
        XCTAssertNotNil(first["messages"] as? [[String: Any]])

        let config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("config.json"))) as? [String: Any])
        XCTAssertEqual(config["model"] as? String, "base")
        let sft = try XCTUnwrap(config["sft"] as? [String: Any])
        XCTAssertEqual(sft["learning_rate"] as? Double, 3e-3)
        XCTAssertEqual(sft["per_device_train_batch_size"] as? Int, 2)
        XCTAssertEqual(sft["gradient_accumulation_steps"] as? Int, 3)
        XCTAssertEqual(sft["max_length"] as? Int, 512)
        XCTAssertEqual(sft["max_steps"] as? Int, 40)
        XCTAssertEqual(sft["warmup_steps"] as? Int, 5)
        XCTAssertEqual(sft["lr_scheduler_type"] as? String, "cosine_with_min_lr")
        XCTAssertEqual((sft["lr_scheduler_kwargs"] as? [String: Any])?["min_lr"] as? Double, 1e-5)
        XCTAssertEqual(sft["max_grad_norm"] as? Double, 0.5)
        XCTAssertEqual(sft["weight_decay"] as? Double, 0.01)
        XCTAssertEqual(sft["seed"] as? Int, 11)
        XCTAssertEqual(sft["eval_steps"] as? Int, 10)
        XCTAssertEqual(sft["logging_steps"] as? Int, 2)
        XCTAssertEqual(sft["adam_beta1"] as? Double, 0.85)
        XCTAssertEqual(sft["packing"] as? Bool, true)
        XCTAssertEqual(sft["gradient_checkpointing"] as? Bool, true)
        XCTAssertEqual(sft["assistant_only_loss"] as? Bool, true)
        XCTAssertEqual(sft["load_best_model_at_end"] as? Bool, true)
        let lora = try XCTUnwrap(config["lora"] as? [String: Any])
        XCTAssertEqual(lora["r"] as? Int, 4)
        XCTAssertEqual(lora["lora_alpha"] as? Double, 8)
        XCTAssertEqual(lora["lora_dropout"] as? Double, 0.1)
        XCTAssertEqual(lora["target_modules"] as? [String], ["q_proj", "k_proj", "v_proj"])
        XCTAssertEqual(lora["use_rslora"] as? Bool, true)
        let early = try XCTUnwrap(config["early_stopping"] as? [String: Any])
        XCTAssertEqual(early["early_stopping_patience"] as? Int, 2)
        XCTAssertEqual(early["early_stopping_threshold"] as? Double, 0.01)
        let template = try XCTUnwrap(config["chat_template"] as? String)
        XCTAssertTrue(template.contains("{% generation %}"), template)

        // Every setting is in config.json's settings and every mapped TRL field is in the config.
        let settings = try XCTUnwrap(config["settings"] as? [String: [String: Any]])
        let configText = try String(contentsOf: out.appendingPathComponent("config.json"), encoding: .utf8)
        let readme = try String(contentsOf: out.appendingPathComponent("README.md"), encoding: .utf8)
        for spec in HyperparameterTable.all {
            XCTAssertNotNil(settings[spec.name], spec.name)
            XCTAssertTrue(readme.contains("| \(spec.name) |"), "README names \(spec.name)")
            for field in ScaleOutMapping.row(spec.name)?.trl.fields ?? [] where !["warmup_ratio", "completion_only_loss", "eval_strategy"].contains(field) {
                XCTAssertTrue(configText.contains("\"\(field)\""), "config.json has \(field) for \(spec.name)")
            }
        }
        let explicitlySet = interpreter.session.hyperparameters.explicitlySet
        XCTAssertTrue(explicitlySet.contains(.minDelta))
        for key in explicitlySet { XCTAssertEqual(settings[key.rawValue]?["set_in_notebook"] as? Bool, true, key.rawValue) }
        XCTAssertTrue(readme.contains("| lr | `0.003` | **set** |") || readme.contains("| lr | `3e-3` | **set** |"), readme)
        XCTAssertTrue(readme.contains("accelerate launch --config_file accelerate_config.yaml train.py"))
        XCTAssertTrue(readme.contains("torchrun --nproc_per_node 2 train.py"))
        XCTAssertTrue(readme.contains("written into `base/`"), readme)
        let script = try String(contentsOf: out.appendingPathComponent("train.py"), encoding: .utf8)
        XCTAssertTrue(script.contains("SFTTrainer(") && script.contains("LoraConfig(") && script.contains("BitsAndBytesConfig("))
        let requirements = try String(contentsOf: out.appendingPathComponent("requirements.txt"), encoding: .utf8)
        for package in ["torch", "transformers", "trl", "peft", "accelerate"] { XCTAssertTrue(requirements.contains(package + "=") || requirements.contains(package + ">"), package) }
    }

    func testExportAxolotlNamesEverySetting() throws {
        let interpreter = try interpreterWithData()
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        ok(interpreter, "data split train=0.75 val=0.25 seed=7")
        ok(interpreter, "method qlora r=8 alpha=16 targets=[all-linear]")
        ok(interpreter, "set lr=1e-4 batch=2 accum=4 seq=384 epochs=2 warmup=10% eval_every=5 patience=3 train_on=all")
        let out = folder.appendingPathComponent("ax")
        let text = ok(interpreter, "export axolotl \"\(out.path)\"")
        XCTAssertTrue(text.contains("config.yml"), text)
        let yaml = try String(contentsOf: out.appendingPathComponent("config.yml"), encoding: .utf8)
        // Simple YAML checks: every top-level line is `key: value` or a list header, no tabs.
        var top = [String: String]()
        for line in yaml.split(separator: "\n") where !line.hasPrefix("#") && !line.hasPrefix(" ") {
            let parts = line.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            XCTAssertEqual(parts.count, 2, String(line))
            XCTAssertNil(top[String(parts[0])], "duplicate key \(parts[0])")
            top[String(parts[0])] = parts.count == 2 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
        }
        XCTAssertFalse(yaml.contains("\t"))
        XCTAssertEqual(top["base_model"], "\"base\"")
        XCTAssertEqual(top["adapter"], "\"qlora\"")
        XCTAssertEqual(top["load_in_4bit"], "true")
        XCTAssertEqual(top["lora_r"], "8")
        XCTAssertEqual(top["lora_alpha"], "16.0")
        XCTAssertEqual(top["lora_target_linear"], "true")
        XCTAssertEqual(top["learning_rate"]?.hasPrefix("0.0001"), true)
        XCTAssertEqual(top["micro_batch_size"]?.hasPrefix("2"), true)
        XCTAssertEqual(top["gradient_accumulation_steps"]?.hasPrefix("4"), true)
        XCTAssertEqual(top["sequence_len"]?.hasPrefix("384"), true)
        XCTAssertEqual(top["num_epochs"]?.hasPrefix("2.0"), true)
        XCTAssertEqual(top["warmup_ratio"]?.hasPrefix("0.1"), true)
        XCTAssertEqual(top["early_stopping_patience"]?.hasPrefix("3"), true)
        XCTAssertEqual(top["train_on_inputs"]?.hasPrefix("true"), true)
        XCTAssertEqual(top["val_set_size"], "0")
        XCTAssertTrue(yaml.contains("    type: chat_template"), yaml)
        XCTAssertNotNil(top["test_datasets"])
        for row in ScaleOutMapping.rows {
            if case .fields(let names) = row.axolotl {
                // Fields written only when they apply: max_steps (steps=0), cosine_min_lr_ratio (min_lr=0), warmup_steps (a share).
                let optional = ["max_steps", "cosine_min_lr_ratio", "warmup_steps"]
                XCTAssertTrue(names.contains { top[$0] != nil } || names.allSatisfy(optional.contains), "config.yml maps \(row.key)")
            }
        }
        let readme = try String(contentsOf: out.appendingPathComponent("README.md"), encoding: .utf8)
        for spec in HyperparameterTable.all { XCTAssertTrue(readme.contains("| \(spec.name) |"), spec.name) }
        XCTAssertTrue(readme.contains("`min_delta` (Axolotl's early stopping"), readme)
        XCTAssertTrue(readme.contains("accelerate launch --num_processes 2"), readme)
    }

    func testBadInputGivesClearErrors() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for command in ["export trl", "export axolotl"] {
            XCTAssertEqual(failure(makeInterpreter(), "\(command) \"\(folder.path)/x\"").name, "NoModel", command)
            let noData = failure(makeInterpreter(tiny: true), "\(command) \"\(folder.path)/x\"")
            XCTAssertEqual(noData.name, "NoData", command)
            XCTAssertTrue(noData.message.contains("data load"), noData.message)
            let interpreter = try interpreterWithData()
            let file = folder.appendingPathComponent("file.txt")
            _ = FileManager.default.createFile(atPath: file.path, contents: Data())
            let isFile = failure(interpreter, "\(command) \"\(file.path)\"")
            XCTAssertEqual(isFile.name, "InvalidValue", command)
            XCTAssertTrue(isFile.message.contains("is a file"), isFile.message)
            let unwritable = failure(interpreter, "\(command) \"\(file.path)/sub\"")
            XCTAssertEqual(unwritable.name, "WriteError", command)
            XCTAssertTrue(unwritable.message.contains("cannot write"), unwritable.message)
            XCTAssertTrue(failure(interpreter, "\(command) \"\(folder.path)/y\" base=maybe").message.contains("base must be one of"))
        }
    }

    /// The built-in SmolLM2 is referenced by its published id; a Hugging Face folder by its path.
    func testTheBaseReference() throws {
        XCTAssertEqual(ScaleOutExport.smolLM2ID, "HuggingFaceTB/SmolLM2-135M-Instruct")
        let template = try XCTUnwrap(ScaleOutExport.jinja(.chatML(defaultSystemPrompt: "You are \"helpful\".")))
        XCTAssertTrue(template.contains("'<|im_start|>system\\n' + \"You are \\\"helpful\\\".\""), template)
        XCTAssertNil(ScaleOutExport.jinja(.zephyr))
    }
}
