"""Pages of business processes: template administration and designer, approvals inbox, instances."""
