import Testing
@testable import ChaosPlan
