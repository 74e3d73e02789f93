/** One doctor check's verdict; `fix` is a single line telling the developer what to do when it fails. */
export type CheckResult = { name: string; ok: boolean; detail: string; fix?: string };

export function pass(name: string, detail: string): CheckResult {
  return { name, ok: true, detail };
}

export function fail(name: string, detail: string, fix: string): CheckResult {
  return { name, ok: false, detail, fix };
}
