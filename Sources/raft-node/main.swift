import RaftNode
