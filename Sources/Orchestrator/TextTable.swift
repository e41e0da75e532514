/// Left-aligned columns separated by two spaces, sized to their content, for terminal
/// output that stays readable at 80 columns.
public enum TextTable {
  public static func render(_ header: [String], _ rows: [[String]]) -> String {
    let all = [header] + rows
    let widths = header.indices.map { i in all.map { $0.indices.contains(i) ? $0[i].count : 0 }.max() ?? 0 }
    return all.map { row in
      row.enumerated().map { i, cell in
        i == row.count - 1 ? cell : cell + String(repeating: " ", count: max(0, widths[i] - cell.count))
      }.joined(separator: "  ")
    }.joined(separator: "\n")
  }
}
