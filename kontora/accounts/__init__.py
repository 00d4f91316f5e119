"""Users, departments (the org tree), roles and the permission gate."""
