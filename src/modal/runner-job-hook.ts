/**
 * The runner's job hooks (`ACTIONS_RUNNER_HOOK_JOB_STARTED` / `_COMPLETED`): at the start and
 * end of its job the runner runs a script that appends the job's identity (repository, run,
 * attempt and job key, from the job's default variables) to a file in the sandbox and prints it
 * to the job log. The app reads that file with the Modal SDK and writes it into the sandbox's
 * tags (`src/reconciler/tag-ran-jobs.ts`), so the sandbox says which job it ran even when the
 * webhooks were lost, and for warm sandboxes launched before any job.
 *
 * The hook has no credential of any kind (the sandbox has none): it only writes a file. Its
 * scripts come from the entrypoint (a shell heredoc, nothing in argv but this fixed text), are
 * owned by the entrypoint's user and read-only to the runner. The job itself can write the file
 * too: the tags say what the sandbox reported, not proof, and the app accepts only well-formed
 * values.
 */

/** Where the scripts and the record live in the sandbox. */
export const JOB_HOOK_DIR = '/tmp/modal-github-runner';
/** The job record: one line per hook run, `event=started repo=o/r run_id=1 run_attempt=1 job=k`. */
export const JOB_RECORD_PATH = `${JOB_HOOK_DIR}/job`;
export const JOB_STARTED_HOOK = `${JOB_HOOK_DIR}/job-started.sh`;
export const JOB_COMPLETED_HOOK = `${JOB_HOOK_DIR}/job-completed.sh`;

/**
 * The hook script (bash -e runs it with its path as $0; the event is in its name). It never
 * fails the job: a record it cannot write is skipped.
 */
const HOOK_SCRIPT = [
  'e=${0##*/job-}; e=${e%.sh}',
  'printf "event=%s repo=%s run_id=%s run_attempt=%s job=%s\\n" "$e" "$GITHUB_REPOSITORY" "$GITHUB_RUN_ID" "$GITHUB_RUN_ATTEMPT" "$GITHUB_JOB" >> "${0%/*}/job" || true',
  'echo "modal-github-runner: runner $RUNNER_NAME $e job $GITHUB_JOB of $GITHUB_REPOSITORY run $GITHUB_RUN_ID attempt $GITHUB_RUN_ATTEMPT"',
].join('\n');

/**
 * The entrypoint's part that installs the hooks: writes both scripts from a quoted heredoc (no
 * expansion), makes the record writable by the runner user, and exports the two variables the
 * runner reads. A failure here only warns: the runner starts without hooks. Ends with a newline
 * (the heredoc needs its own lines); the rest of the entrypoint follows it.
 */
export function jobHookShell(dir: string = JOB_HOOK_DIR): string {
  return (
    `if mkdir -p ${dir} && cat > ${dir}/job-started.sh <<'MGR_JOB_HOOK'\n${HOOK_SCRIPT}\nMGR_JOB_HOOK\n` +
    `then cp ${dir}/job-started.sh ${dir}/job-completed.sh && chmod 755 ${dir}/job-started.sh ${dir}/job-completed.sh && ` +
    `: > ${dir}/job && chmod 666 ${dir}/job && ` +
    `export ACTIONS_RUNNER_HOOK_JOB_STARTED=${dir}/job-started.sh ACTIONS_RUNNER_HOOK_JOB_COMPLETED=${dir}/job-completed.sh; ` +
    `else echo "modal-github-runner: could not install the job hooks in ${dir}; the runner starts without them" >&2; fi\n`
  );
}
