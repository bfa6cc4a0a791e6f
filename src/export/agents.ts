import type { ProjectConfig } from '../spec/types.js';
import type { PlanTask } from '../plan/types.js';
import { UsageError } from '../util/errors.js';

/** The shell command that runs a task's agent, from PROJECT.md's `agents`. */
export function agentCommand(task: PlanTask, project: ProjectConfig): string {
  const where = project.file ?? 'PROJECT.md';
  if (task.agent === undefined) {
    throw new UsageError(
      `task '${task.id}' has no agent to run: define one under 'agents:' in ${where} (e.g. 'claude: claude -p --permission-mode acceptEdits') and name it in 'default_agent'`,
    );
  }
  if (!Object.hasOwn(project.agents, task.agent)) {
    const names = Object.keys(project.agents).sort();
    throw new UsageError(`task '${task.id}' asks for agent '${task.agent}', which ${where} does not define (agents: ${names.length ? names.join(', ') : 'none'}); add it under 'agents:'`);
  }
  return project.agents[task.agent]!;
}
