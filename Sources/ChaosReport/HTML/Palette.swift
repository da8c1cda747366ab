/// Colours of the report: one per node (Tableau 10, readable on white and for most colour-blind readers), one
/// per fault kind.
enum Palette {
    static let nodes = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#edc948", "#9c755f",
                        "#ff9da7"]

    static func node(_ index: Int) -> String { nodes[index % nodes.count] }

    static func fault(_ name: String) -> String {
        switch name {
        case "kill": "#d62728"
        case "stop": "#ff7f0e"
        case "pause", "pause-thread": "#9467bd"
        case "partition", "isolate": "#1f77b4"
        case "delay", "loss", "slow": "#17becf"
        case "membership": "#2ca02c"
        default: "#8c564b"
        }
    }
}
