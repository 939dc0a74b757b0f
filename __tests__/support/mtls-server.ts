import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';

/*
 * A token endpoint on 127.0.0.1 over https that requires a client certificate (RFC 8705), with certificates made
 * by openssl for this run: a self-signed server certificate for IP 127.0.0.1, and a self-signed client one
 * (self_signed_tls_client_auth; the server trusts exactly that certificate, as an AS trusts a registered one).
 *
 *   const server = await startMtlsServer();
 *   new https.Agent({ ca: server.ca, cert: server.client.cert, key: server.client.key })
 *   server.requests   // [{ path, body, clientCn }] of every request that passed the TLS handshake
 *   await server.stop()
 */

export interface KeyAndCert {
  key: string;
  cert: string;
}

export interface MtlsServer {
  readonly baseURL: string;
  /** The server certificate, for the client's `ca`. */
  readonly ca: string;
  /** The client certificate the server accepts. */
  readonly client: KeyAndCert;
  readonly requests: Array<{ path: string; body: string; clientCn: string | undefined; authorization: string | undefined }>;
  stop(): Promise<void>;
}

function selfSigned(dir: string, name: string, cn: string, extra: string[] = []): KeyAndCert {
  const key = path.join(dir, `${name}.key`);
  const cert = path.join(dir, `${name}.crt`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-subj',
      `/CN=${cn}`,
      '-days',
      '1',
      ...extra,
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
}

export async function startMtlsServer(
  handler: (path: string, body: string) => [number, unknown] = () => [
    200,
    { access_token: 'at-mtls', token_type: 'Bearer', expires_in: 60 },
  ],
): Promise<MtlsServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mtls-'));
  let server: KeyAndCert;
  let client: KeyAndCert;
  try {
    server = selfSigned(dir, 'server', '127.0.0.1', ['-addext', 'subjectAltName=IP:127.0.0.1']);
    client = selfSigned(dir, 'client', 'orders-service');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const requests: MtlsServer['requests'] = [];
  const https_ = https.createServer(
    { key: server.key, cert: server.cert, ca: [client.cert], requestCert: true, rejectUnauthorized: true },
    (req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const peer = (req.socket as TLSSocket).getPeerCertificate();
        requests.push({
          path: req.url ?? '',
          body,
          clientCn: peer?.subject?.CN as string | undefined,
          authorization: req.headers.authorization,
        });
        const [status, json] = handler(req.url ?? '', body);
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(json));
      });
    },
  );
  https_.keepAliveTimeout = 100;
  await new Promise<void>((resolve) => https_.listen(0, '127.0.0.1', resolve));
  const { port } = https_.address() as AddressInfo;
  return {
    baseURL: `https://127.0.0.1:${port}`,
    ca: server.cert,
    client,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        https_.closeAllConnections();
        https_.close(() => resolve());
      }),
  };
}
