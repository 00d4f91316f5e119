"""Business processes: BPMN 2.0 diagrams executed by SpiffWorkflow, their instances and the approvals they ask for."""
