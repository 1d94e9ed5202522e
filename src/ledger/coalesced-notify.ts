/**
 * A notifier that keeps one send in flight: asked again meanwhile, it sends once more after it,
 * however often it was asked. A failed send is reported and not retried.
 */
export function coalescedNotify(
  send: () => Promise<unknown>,
  onError: (error: unknown) => void,
): () => void {
  let sending = false;
  let again = false;
  const notify = (): void => {
    if (sending) {
      again = true;
      return;
    }
    sending = true;
    send()
      .catch(onError)
      .finally(() => {
        sending = false;
        if (again) {
          again = false;
          notify();
        }
      });
  };
  return notify;
}
