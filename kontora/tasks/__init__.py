"""Tasks and projects: assign, control, count what is late, track time, plan on a Gantt."""
