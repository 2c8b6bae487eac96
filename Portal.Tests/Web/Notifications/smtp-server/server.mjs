// SMTP server for the e-mail digest tests, on 127.0.0.1 and a free port. Prints "listening <port>" when
// ready, then one line "message <json>" per received message ({from, to, subject, text, html}). Accepts any
// login or none, without TLS. Exits when stdin closes, so it never outlives the test process.
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';

const server = new SMTPServer({
  secure: false,
  disabledCommands: ['STARTTLS'],
  authOptional: true,
  logger: false,
  onAuth(auth, session, callback) {
    callback(null, { user: auth.username });
  },
  async onData(stream, session, callback) {
    try {
      const mail = await simpleParser(stream);
      const message = {
        from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
        to: session.envelope.rcptTo.map((r) => r.address),
        subject: mail.subject ?? null,
        text: mail.text ?? null,
        html: typeof mail.html === 'string' ? mail.html : null,
      };
      console.log(`message ${JSON.stringify(message)}`);
      callback();
    } catch (error) {
      callback(error);
    }
  },
});

server.listen(0, '127.0.0.1', () => {
  console.log(`listening ${server.server.address().port}`);
});

process.stdin.resume();
process.stdin.on('end', () => {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
});
