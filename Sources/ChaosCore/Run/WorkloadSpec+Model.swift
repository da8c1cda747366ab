import ChaosPlan

extension WorkloadSpec.Kind {
    /// The linearizability model that judges this workload's history when the plan names none.
    var naturalModel: String {
        switch self {
        case .register: "register"
        case .casRegister: "cas-register"
        case .append: "append-log"
        }
    }
}
