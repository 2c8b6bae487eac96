// Azurite's blob service for the import tests, on 127.0.0.1 and a free port, in memory.
// Prints "LISTENING <port>" when ready. Stops azurite and exits when stdin closes, so it never outlives the tests.
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const port = await new Promise((resolve) => {
  const probe = net.createServer();
  probe.listen(0, '127.0.0.1', () => { const { port } = probe.address(); probe.close(() => resolve(port)); });
});

const child = spawn(process.execPath, [path.join(here, 'node_modules', 'azurite', 'dist', 'src', 'blob', 'main.js'),
  '--blobHost', '127.0.0.1', '--blobPort', String(port), '--inMemoryPersistence', '--skipApiVersionCheck', '--loose'],
  { cwd: here, stdio: ['ignore', 'pipe', 'inherit'] });

let ready = false;
child.stdout.on('data', (chunk) => {
  if (!ready && /listens on|successfully listens/i.test(chunk.toString())) {
    ready = true;
    console.log(`LISTENING ${port}`);
  }
});
child.on('exit', (code) => process.exit(code ?? 0));

const stop = () => { child.kill('SIGTERM'); setTimeout(() => process.exit(0), 2000).unref(); };
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
