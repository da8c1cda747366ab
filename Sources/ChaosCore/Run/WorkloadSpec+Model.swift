import ChaosChecker
import ChaosPlan

extension WorkloadSpec.Kind {
    /// The linearizability model that judges this workload's history when the plan names none.
    var naturalModel: ModelName {
        switch self {
        case .register: .register
        case .casRegister: .casRegister
        case .append: .appendLog
        }
    }
}
