/// Left-aligned columns separated by two spaces, sized to their content, for terminal
/// output that stays readable at 80 columns.
public enum TextTable {
  /// - Parameter maxWidth: when set, the last column is cut (ending in `…`) so that lines
  ///   fit, keeping at least 16 characters of it; `--output json` has the whole text.
  public static func render(_ header: [String], _ rows: [[String]], maxWidth: Int? = nil) -> String {
    let all = [header] + rows
    let widths = header.indices.map { i in all.map { $0.indices.contains(i) ? $0[i].count : 0 }.max() ?? 0 }
    let leading = widths.dropLast().reduce(0) { $0 + $1 + 2 }
    let lastWidth = maxWidth.map { max(16, $0 - leading) }
    return all.map { row in
      row.enumerated().map { i, cell in
        if i == row.count - 1 {
          guard let lastWidth, cell.count > lastWidth else { return cell }
          return String(cell.prefix(lastWidth - 1)) + "…"
        }
        return cell + String(repeating: " ", count: max(0, widths[i] - cell.count))
      }.joined(separator: "  ")
    }.joined(separator: "\n")
  }
}
