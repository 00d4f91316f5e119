"""Pages of automation: the stage-by-stage robots and triggers screen."""
