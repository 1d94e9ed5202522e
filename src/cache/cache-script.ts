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
  mkdir -p "$MGR_CACHE_VOLUME/gens" && chmod 0777 "$MGR_CACHE_VOLUME/gens" 2>/dev/null
  mgr_cache_restore </dev/null
  hook="$MGR_CACHE_DIR.state/publish.sh"
  printf '#!/bin/sh\\n. %s\\nmgr_cache_publish || true\\n' "$MGR_CACHE_LIB_FILE" > "$hook"
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
 * The sandbox command of a cached class: writes the library, restores the newest generation,
 * points the job-completed hook at the publish step, then runs `inner` (the runner entrypoint)
 * unchanged, with the same stdin. The library comes in through the environment, so no quoting
 * of it is needed here.
 */
export function withCacheCommand(inner: readonly string[]): string[] {
  return [
    '/bin/sh',
    '-c',
    `printf '%s\\n' "$${CACHE_LIBRARY_ENV}" > "$MGR_CACHE_LIB_FILE" && . "$MGR_CACHE_LIB_FILE" ` +
      `&& mgr_cache_boot; exec "$@"`,
    'sh',
    ...inner,
  ];
}
