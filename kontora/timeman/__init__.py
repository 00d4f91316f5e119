"""Working time and absences."""
