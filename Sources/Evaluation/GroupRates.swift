/// The rates of one group of examples: a category (the record's `category` field, or the field
/// `eval by=` names) or a tag (an entry of the record's `tags` list). An example counts under its
/// category and under each of its tags.
public struct GroupRates: Sendable, Equatable {
    public var name: String
    /// Examples passing every check, of the group's examples (with its Wilson interval).
    public var all: PassCount
    /// One count per check kind, in the order the checks run.
    public var byCheck: [PassCount]

    public var count: Int { all.total }

    /// Groups by category, sorted by name; examples without a category are left out.
    public static func byCategory(_ results: [ExampleResult]) -> [GroupRates] {
        group(results) { $0.category.map { [$0] } ?? [] }.sorted { $0.name < $1.name }
    }

    /// Groups by tag, in first-seen order.
    public static func byTag(_ results: [ExampleResult]) -> [GroupRates] {
        group(results) { $0.tags }
    }

    /// Groups `results` under each of the keys `keys` gives (an example once per key), in first-seen order.
    public static func group(_ results: [ExampleResult], keys: (ExampleResult) -> [String]) -> [GroupRates] {
        var order = [String]()
        var members = [String: [ExampleResult]]()
        for result in results {
            var seen = Set<String>()
            for key in keys(result) where seen.insert(key).inserted {
                if members[key] == nil { order.append(key) }
                members[key, default: []].append(result)
            }
        }
        return order.map { name in
            let list = members[name]!
            let report = EvalReport(results: list)
            return GroupRates(name: name, all: PassCount(name: name, passed: report.passed, total: report.total),
                              byCheck: report.byCheck)
        }
    }
}
