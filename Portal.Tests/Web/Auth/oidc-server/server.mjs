// OpenID Connect provider for the sign-in tests, on 127.0.0.1 and a free port.
// Prints "LISTENING <issuer>" when ready. Each line on stdin is JSON for the person who signs in next
// ({"sub","name","email","roles":[...]}), answered with "NEXT <sub>". Exits when stdin closes, so it
// never outlives the test process.
import { OAuth2Server } from 'oauth2-mock-server';
import readline from 'node:readline';

const server = new OAuth2Server();
await server.issuer.keys.generate('RS256');

let next = { sub: 'nobody', name: 'Nobody', email: 'nobody@example.test', roles: [] };
const byCode = new Map();

// The browser's authorize request: remember who this code belongs to.
server.service.on('beforeAuthorizeRedirect', (authorizeRedirectUri) => {
  const code = authorizeRedirectUri.url.searchParams.get('code');
  if (code) byCode.set(code, next);
});

// The portal's back-channel token request: put that person's claims into the id token.
server.service.on('beforeTokenSigning', (token, req) => {
  const person = byCode.get(req.body?.code) ?? next;
  token.payload.sub = person.sub;
  token.payload.oid = person.sub;
  token.payload.name = person.name;
  token.payload.email = person.email;
  token.payload.preferred_username = person.email;
  if (person.roles?.length) token.payload.roles = person.roles;
  else delete token.payload.roles;
});

await server.start(0, '127.0.0.1');
server.issuer.url = `http://127.0.0.1:${server.address().port}`;
console.log(`LISTENING ${server.issuer.url}`);

const input = readline.createInterface({ input: process.stdin });
input.on('line', (line) => {
  if (!line.trim()) return;
  next = JSON.parse(line);
  console.log(`NEXT ${next.sub}`);
});
input.on('close', async () => {
  await server.stop();
  process.exit(0);
});
