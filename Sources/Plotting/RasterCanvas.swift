/// An RGB pixel buffer (8 bits a channel, rows top to bottom) with the few drawing operations a
/// chart needs: filled rectangles, crisp axis lines, anti-aliased thick polylines with
/// opacity, and text in the ``BitmapFont``.
public struct RasterCanvas: Sendable {
    public let width: Int
    public let height: Int
    /// `width × height × 3` bytes, R G B, row by row from the top.
    public private(set) var pixels: [UInt8]

    /// A clip rectangle in whole pixels, `minX..<maxX` × `minY..<maxY`.
    public struct Clip: Sendable, Equatable {
        public var minX: Int, minY: Int, maxX: Int, maxY: Int
        public init(minX: Int, minY: Int, maxX: Int, maxY: Int) {
            self.minX = minX; self.minY = minY; self.maxX = maxX; self.maxY = maxY
        }
    }

    public init(width: Int, height: Int, background: RGBColor = .white) {
        precondition(width > 0 && height > 0, "canvas must not be empty (got \(width) × \(height))")
        self.width = width
        self.height = height
        pixels = Array(repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) {
            pixels[3 * i] = background.r
            pixels[3 * i + 1] = background.g
            pixels[3 * i + 2] = background.b
        }
    }

    /// The colour at `(x, y)`.
    public func pixel(x: Int, y: Int) -> RGBColor {
        let i = 3 * (y * width + x)
        return RGBColor(pixels[i], pixels[i + 1], pixels[i + 2])
    }

    /// Mixes `color` into pixel `(x, y)` with weight `alpha` (0…1); outside pixels are ignored.
    public mutating func blend(x: Int, y: Int, color: RGBColor, alpha: Double) {
        guard x >= 0, y >= 0, x < width, y < height, alpha > 0 else { return }
        let a = min(alpha, 1)
        let i = 3 * (y * width + x)
        func mix(_ old: UInt8, _ new: UInt8) -> UInt8 {
            UInt8((Double(old) * (1 - a) + Double(new) * a).rounded())
        }
        pixels[i] = mix(pixels[i], color.r)
        pixels[i + 1] = mix(pixels[i + 1], color.g)
        pixels[i + 2] = mix(pixels[i + 2], color.b)
    }

    /// Paints the rectangle `x..<x+w` × `y..<y+h`.
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, color: RGBColor) {
        let x0 = max(0, x), x1 = min(width, x + w)
        let y0 = max(0, y), y1 = min(height, y + h)
        guard x0 < x1, y0 < y1 else { return }
        for yy in y0..<y1 {
            for xx in x0..<x1 {
                blend(x: xx, y: yy, color: color, alpha: 1)
            }
        }
    }

    /// A one-pixel horizontal line from `x0` to `x1` inclusive (axes and gridlines stay crisp).
    public mutating func horizontalLine(x0: Int, x1: Int, y: Int, color: RGBColor) {
        guard x0 <= x1 else { return }
        fill(x: x0, y: y, width: x1 - x0 + 1, height: 1, color: color)
    }

    /// A one-pixel vertical line from `y0` to `y1` inclusive.
    public mutating func verticalLine(x: Int, y0: Int, y1: Int, color: RGBColor) {
        guard y0 <= y1 else { return }
        fill(x: x, y: y0, width: 1, height: y1 - y0 + 1, color: color)
    }

    /// An anti-aliased polyline `lineWidth` pixels thick with round joins and ends. Each pixel's
    /// coverage is its distance to the nearest segment (so joins are not painted twice), then
    /// the line is mixed in once at `opacity`, inside `clip` when given.
    public mutating func strokePolyline(_ points: [(x: Double, y: Double)], lineWidth: Double, color: RGBColor,
                                        opacity: Double = 1, clip: Clip? = nil) {
        guard !points.isEmpty else { return }
        let half = lineWidth / 2
        let bounds = clip ?? Clip(minX: 0, minY: 0, maxX: width, maxY: height)
        let minX = max(bounds.minX, 0, Int((points.map(\.x).min()! - half - 1).rounded(.down)))
        let maxX = min(bounds.maxX, width, Int((points.map(\.x).max()! + half + 2).rounded(.up)))
        let minY = max(bounds.minY, 0, Int((points.map(\.y).min()! - half - 1).rounded(.down)))
        let maxY = min(bounds.maxY, height, Int((points.map(\.y).max()! + half + 2).rounded(.up)))
        guard minX < maxX, minY < maxY else { return }
        let maskWidth = maxX - minX
        var mask = [Float](repeating: 0, count: maskWidth * (maxY - minY))
        let segments = points.count == 1 ? [(points[0], points[0])] : Array(zip(points, points.dropFirst()))
        for (a, b) in segments {
            let x0 = max(minX, Int((min(a.x, b.x) - half - 1).rounded(.down)))
            let x1 = min(maxX, Int((max(a.x, b.x) + half + 2).rounded(.up)))
            let y0 = max(minY, Int((min(a.y, b.y) - half - 1).rounded(.down)))
            let y1 = min(maxY, Int((max(a.y, b.y) + half + 2).rounded(.up)))
            guard x0 < x1, y0 < y1 else { continue }
            let dx = b.x - a.x, dy = b.y - a.y
            let length2 = dx * dx + dy * dy
            for y in y0..<y1 {
                for x in x0..<x1 {
                    let cx = Double(x) + 0.5 - a.x, cy = Double(y) + 0.5 - a.y
                    let t = length2 > 0 ? min(max((cx * dx + cy * dy) / length2, 0), 1) : 0
                    let ex = cx - t * dx, ey = cy - t * dy
                    let coverage = Float(min(max(half + 0.5 - (ex * ex + ey * ey).squareRoot(), 0), 1))
                    let m = (y - minY) * maskWidth + (x - minX)
                    if coverage > mask[m] { mask[m] = coverage }
                }
            }
        }
        for y in minY..<maxY {
            for x in minX..<maxX {
                let c = mask[(y - minY) * maskWidth + (x - minX)]
                if c > 0 { blend(x: x, y: y, color: color, alpha: Double(c) * opacity) }
            }
        }
    }

    /// Width in pixels of `text` at `scale`.
    public static func textWidth(_ text: String, scale: Int) -> Int {
        text.count * BitmapFont.advance * scale
    }

    /// Draws `text` with its top-left corner at `(x, y)`, each font pixel a `scale × scale`
    /// block; `bold` repeats each glyph one pixel to the right.
    public mutating func drawText(_ text: String, x: Int, y: Int, color: RGBColor, scale: Int = 1, bold: Bool = false) {
        for (i, ch) in text.enumerated() {
            let left = x + i * BitmapFont.advance * scale
            for gy in 0..<BitmapFont.glyphHeight {
                for gx in 0..<BitmapFont.glyphWidth where BitmapFont.isInk(ch, x: gx, y: gy) {
                    fill(x: left + gx * scale, y: y + gy * scale, width: scale + (bold ? 1 : 0), height: scale, color: color)
                }
            }
        }
    }

    /// Draws `text` turned a quarter left (reading bottom to top), starting at the bottom-left
    /// corner `(x, y)`.
    public mutating func drawTextUpward(_ text: String, x: Int, y: Int, color: RGBColor, scale: Int = 1) {
        for (i, ch) in text.enumerated() {
            let along = i * BitmapFont.advance * scale
            for gy in 0..<BitmapFont.glyphHeight {
                for gx in 0..<BitmapFont.glyphWidth where BitmapFont.isInk(ch, x: gx, y: gy) {
                    fill(x: x + gy * scale, y: y - along - (gx + 1) * scale, width: scale, height: scale, color: color)
                }
            }
        }
    }
}
