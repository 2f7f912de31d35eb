// Every string the code-changed notice shows, in one place for the translation catalogue.

export const codeMessages = {
  checking: "Checking this app's code…",
  changedTitle: "This app's code changed since your last visit",
  changedBody:
    'The server now sends a different version of Sealroom than the one this browser pinned. If you did not expect an update, someone who controls the server may be sending code that can read your calls. Nothing has been used yet: no key, no knock.',
  inconsistentTitle: 'This server sends code that does not match its own manifest',
  inconsistentBody:
    'Some files differ from the list of files this server publishes, or it no longer publishes one. That should never happen with an honest server. This browser keeps running the version it pinned, and will not use any key until the server is fixed.',
  versionLine: (from: string, to: string) => `Version ${from} → ${to}`,
  noVersion: 'none',
  compareHint: 'Compare the new version with the one published for this release (npm run verify -- <this address> prints it) before you continue.',
  newVersionLabel: 'New version (SHA-256 of integrity.json)',
  filesLabel: 'Files that differ',
  accept: 'I trust the new version: use it',
  accepting: 'Checking and pinning the new version…',
  retry: 'Check again',
  pinFailed: 'The new version could not be pinned; try again.',
} as const;
