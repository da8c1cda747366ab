import ChaosPlan
