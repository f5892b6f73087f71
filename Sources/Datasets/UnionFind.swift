/// Disjoint sets over `0..<count`, for grouping duplicates into clusters.
struct UnionFind {
    private var parent: [Int]

    init(count: Int) { parent = Array(0..<count) }

    mutating func find(_ x: Int) -> Int {
        var root = x
        while parent[root] != root { root = parent[root] }
        var node = x
        while parent[node] != root { let next = parent[node]; parent[node] = root; node = next }
        return root
    }

    /// Joins the sets of `a` and `b`; the smaller index becomes the root.
    mutating func union(_ a: Int, _ b: Int) {
        let ra = find(a), rb = find(b)
        if ra == rb { return }
        if ra < rb { parent[rb] = ra } else { parent[ra] = rb }
    }

    /// The sets with more than one member, each sorted, ordered by their first member.
    mutating func groups() -> [[Int]] {
        var byRoot = [Int: [Int]]()
        for x in 0..<parent.count { byRoot[find(x), default: []].append(x) }
        return byRoot.values.filter { $0.count > 1 }.sorted { $0[0] < $1[0] }
    }
}
