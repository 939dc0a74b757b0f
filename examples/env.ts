// Reads the settings every example takes from the environment, so no secret is ever written in a file.
export function env(name: string, fallback?: string): string {
  const value = process.env[name] ?? fallback;
  if (value === undefined || value === '') {
    console.error(`Set ${name} (see the comment at the top of the example).`);
    process.exit(2);
  }
  return value;
}

export function optionalEnv(name: string): string | undefined {
  return process.env[name] || undefined;
}
