extension Plan {
    /// The plan cut to run for `duration` (`chaos run --duration`): steps that would start at or after the new
    /// end are dropped and repeated steps end with it, so the resolved plan is the plan that ran and loads again.
    /// - Returns: the plan and the steps dropped, for telling the user.
    public func running(for duration: Duration) -> (plan: Plan, dropped: [NemesisStep]) {
        var plan = self
        plan.duration = duration
        var dropped: [NemesisStep] = []
        plan.nemesis = nemesis.compactMap { step in
            var step = step
            switch step.timing {
            case .at(let time) where time >= duration:
                dropped.append(step)
                return nil
            case .every(_, let from, _) where from >= duration:
                dropped.append(step)
                return nil
            case .every(let period, let from, let until) where until.map { $0 > duration } ?? false:
                step.timing = .every(period, from: from, until: duration)
            default:
                break
            }
            return step
        }
        return (plan, dropped)
    }
}
