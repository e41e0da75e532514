import Orchestrator
print(Placeholder.v())
