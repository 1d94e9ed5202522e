/**
 * The shell side of a class's warm cache (POSIX sh, run inside the sandbox; the tests and the
 * bench run the same text locally against a temporary directory standing in for the volume).
 *
 * Layout of the volume (mounted at MGR_CACHE_VOLUME):
 *
 *     gens/g-<epoch seconds>-<bytes>-<writer>/data/…   one published generation (immutable)
 *     gens/g-<epoch seconds>-<bytes>-<writer>/.complete  "<files> <bytes>", written before publish
 *     gens/.tmp-<writer>/…                               a generation being written (one writer)
 *
 * Each runner restores the newest complete generation into its own local directory
 * (MGR_CACHE_DIR, where the job's tool and package caches point), and when its job completes it
 * copies that directory to a directory only it writes (`.tmp-<writer>`, the writer being the
 * sandbox's unique name), then publishes it with one rename to `g-…`. A job that added or
 * removed no file publishes nothing (caches grow by adding files; an index rewritten in place is
 * not worth a generation, and the TTL renews the cache anyway). Nothing is ever written
 * into a published generation, and no file is written by two runners, so Modal's last-writer-
 * wins merge of concurrent commits has nothing to merge: see DEPLOY.md, "Warm caches".
 */

/** Shell functions: `mgr_cache_restore`, `mgr_cache_publish`, `mgr_cache_boot`. */
export const CACHE_LIBRARY = `
mgr_cache_log() { echo "modal-github-runner cache: $*" >&2; }

mgr_cache_newest() {
  for g in $(ls -1 "$MGR_CACHE_VOLUME/gens" 2>/dev/null | grep '^g-[0-9]' | sort -r); do
    if [ -f "$MGR_CACHE_VOLUME/gens/$g/.complete" ]; then echo "$g"; return 0; fi
  done
  return 0
}

mgr_cache_files() { find "$MGR_CACHE_DIR" -type f 2>/dev/null | wc -l | tr -d ' '; }

mgr_cache_restore() {
  mkdir -p "$MGR_CACHE_DIR" "$MGR_CACHE_DIR.state" || return 1
  newest="$(mgr_cache_newest)"
  if [ -n "$newest" ]; then
    if cp -a "$MGR_CACHE_VOLUME/gens/$newest/data/." "$MGR_CACHE_DIR/"; then
      mgr_cache_log "restored $newest"
    else
      mgr_cache_log "could not restore $newest; starting cold"
      newest=""
    fi
  else
    mgr_cache_log "no generation yet; starting cold"
  fi
  echo "$newest" > "$MGR_CACHE_DIR.state/restored"
  mgr_cache_files > "$MGR_CACHE_DIR.state/files"
}

mgr_cache_publish() {
  state="$MGR_CACHE_DIR.state"
  files="$(mgr_cache_files)"
  if [ "$files" = "$(cat "$state/files" 2>/dev/null)" ]; then
    mgr_cache_log "no file added or removed since restore; nothing to publish"; return 0
  fi
  bytes=$(( $(du -sk "$MGR_CACHE_DIR" | cut -f1) * 1024 ))
  if [ "$bytes" -gt "\${MGR_CACHE_MAX_BYTES:-0}" ]; then
    mgr_cache_log "$bytes bytes is over the class's cap of $MGR_CACHE_MAX_BYTES; not published"
    return 0
  fi
  writer="\${MGR_CACHE_WRITER:-w}-$$"
  tmp="$MGR_CACHE_VOLUME/gens/.tmp-$writer"
  rm -rf "$tmp" && mkdir -p "$tmp/data" || return 1
  if ! cp -a "$MGR_CACHE_DIR/." "$tmp/data/"; then
    rm -rf "$tmp"; mgr_cache_log "copy failed; not published"; return 1
  fi
  echo "$files $bytes" > "$tmp/.complete"
  sync
  gen="g-$(date +%s)-$bytes-$writer"
  mv "$tmp" "$MGR_CACHE_VOLUME/gens/$gen" || { rm -rf "$tmp"; return 1; }
  sync
  mgr_cache_log "published $gen ($files files, $bytes bytes)"
}

mgr_cache_boot() {
  \${mgr_root:-} mkdir -p "$MGR_CACHE_VOLUME/gens" && \${mgr_root:-} chmod 0777 "$MGR_CACHE_VOLUME/gens"
  mgr_cache_restore </dev/null
  hook="\${MGR_CACHE_LIB_FILE%.sh}-publish.sh"
  printf '#!/bin/sh\\n. %s\\nmgr_cache_publish || true\\n' "$MGR_CACHE_LIB_FILE" > "$hook"
  # The hook installed before this one (the job hooks') runs after the publish, as itself.
  if [ -n "\${ACTIONS_RUNNER_HOOK_JOB_COMPLETED:-}" ]; then
    printf 'exec /bin/sh %s\\n' "'$ACTIONS_RUNNER_HOOK_JOB_COMPLETED'" >> "$hook"
  fi
  chmod 0755 "$hook"
  if [ "$(id -u)" = 0 ] && id runner >/dev/null 2>&1; then
    chown -R runner "$MGR_CACHE_DIR" "$MGR_CACHE_DIR.state" 2>/dev/null
  fi
  export ACTIONS_RUNNER_HOOK_JOB_COMPLETED="$hook"
}
`;

/** Where the sandbox writes CACHE_LIBRARY so that the job-completed hook can source it. */
export const CACHE_LIBRARY_FILE = '/tmp/modal-github-runner-cache.sh';

/** The environment variable that carries CACHE_LIBRARY into the sandbox. */
export const CACHE_LIBRARY_ENV = 'MGR_CACHE_LIB';

/**
 * The entrypoint step of a cached class (runner-entrypoint.ts runs it before the config is
 * read): writes the library, restores the newest generation and points the job-completed hook
 * at the publish step, chaining the hook installed before it. The library comes in through the
 * environment (MGR_CACHE_LIB), so no quoting of it is needed here. Reads nothing from stdin.
 */
export const CACHE_STEP_SCRIPT =
  `if [ -n "\${${CACHE_LIBRARY_ENV}:-}" ] && printf '%s\\n' "$${CACHE_LIBRARY_ENV}" > "$MGR_CACHE_LIB_FILE" ` +
  `&& . "$MGR_CACHE_LIB_FILE"; then mgr_cache_boot; ` +
  `else echo "modal-github-runner: the cache could not be set up; the runner starts cold" >&2; fi;`;
