"""Tasks and projects."""

from kontora.tasks.models.planning import (
    Occurrence,
    PlanColumn,
    PlanPlacement,
    Reminder,
    TaskFilter,
    TaskTemplate,
)
from kontora.tasks.models.projects import Project, ProjectMember, ProjectStage
from kontora.tasks.models.tasks import CrmLink, Dependency, Task, TaskFile, TaskMember, TaskView
from kontora.tasks.models.work import ChecklistItem, TaskComment, TimeEntry

__all__ = [
    "ChecklistItem",
    "CrmLink",
    "Dependency",
    "Occurrence",
    "PlanColumn",
    "PlanPlacement",
    "Project",
    "ProjectMember",
    "ProjectStage",
    "Reminder",
    "Task",
    "TaskComment",
    "TaskFile",
    "TaskFilter",
    "TaskMember",
    "TaskTemplate",
    "TaskView",
    "TimeEntry",
]
