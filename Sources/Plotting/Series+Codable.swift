/// JSON form of a series, compact and diff-friendly (what a notebook's `series=` file holds):
///
///     {"name": "lr=3e-2", "x": [0, 1, 2], "y": [5.5, 4.9, null], "markers": [{"x": 17, "note": "diverged at 17"}]}
///
/// `x` and `y` are parallel arrays; `null` is a missing value. `markers` is left out when empty.
extension Series: Codable {
    private enum CodingKeys: String, CodingKey { case name, x, y, markers }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let name = try c.decode(String.self, forKey: .name)
        let xs = try c.decode([Double].self, forKey: .x)
        let ys = try c.decode([Double?].self, forKey: .y)
        guard xs.count == ys.count else {
            throw DecodingError.dataCorruptedError(forKey: .y, in: c,
                debugDescription: "series \"\(name)\": \(xs.count) x values but \(ys.count) y values")
        }
        let markers = try c.decodeIfPresent([Marker].self, forKey: .markers) ?? []
        self.init(name: name, points: zip(xs, ys).map { Point(x: $0, y: $1) }, markers: markers)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(points.map(\.x), forKey: .x)
        // Encode nil explicitly so the arrays stay parallel.
        var ys = c.nestedUnkeyedContainer(forKey: .y)
        for p in points {
            if let y = p.y { try ys.encode(y) } else { try ys.encodeNil() }
        }
        if !markers.isEmpty { try c.encode(markers, forKey: .markers) }
    }
}
