// AWS Signature Version 4 verification, for the Bedrock endpoint: a request signed with the local
// provider's test credentials (LOCAL_AWS_CREDENTIALS) must carry the signature AWS would compute,
// or it gets AWS's 403. Requests signed with any other key id, or not signed, are not checked (the
// AWS SDK tests use arbitrary credentials). The rules are the AWS SDKs' for every service but S3:
// the path URI-encoded once more, the query sorted, the payload hashed whole.

import { createHash, createHmac } from 'node:crypto';

/** The test credentials whose signatures are verified (published: they open nothing). */
export const LOCAL_AWS_CREDENTIALS = Object.freeze({
  accessKeyId: 'AKIDLLMSTREAMLOCAL',
  secretAccessKey: 'llmstream/local+provider/TEST/secret/KEY0000',
});

// AWS refuses a signature more than this far from its clock ("Signature expired").
const MAX_SKEW_MS = 5 * 60 * 1000;

const sha256 = (data) => createHash('sha256').update(data).digest('hex');
const hmac = (key, data) => createHmac('sha256', key).update(data).digest();

/** AWS UriEncode: everything but A-Z a-z 0-9 - _ . ~ as %XX. */
function uriEncode(text) {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function canonicalUri(path) {
  const out = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(uriEncode(segment));
  }
  return `/${out.join('/')}${path.endsWith('/') && out.length ? '/' : ''}`;
}

function canonicalQuery(query) {
  if (!query) return '';
  return query
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const [k, v = ''] = pair.split('=');
      const decode = (s) => decodeURIComponent(s.replace(/\+/g, '%20'));
      return [uriEncode(decode(k)), uriEncode(decode(v))];
    })
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/** "20250102T030405Z" -> Unix ms, or NaN. */
function amzDateMs(value) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value ?? '');
  return m ? Date.UTC(+m[1], m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : NaN;
}

function refusal(type, message) {
  return { status: 403, type, message };
}

/**
 * Null when the request is not signed with LOCAL_AWS_CREDENTIALS or its signature holds; else
 * {status: 403, type, message} as AWS answers. `raw`: the body bytes.
 */
export function verifySigV4(req, raw, now = Date.now()) {
  const auth = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,\s]+), ?Signature=([0-9a-f]{64})$/.exec(
    req.headers.authorization ?? '',
  );
  if (!auth || auth[1] !== LOCAL_AWS_CREDENTIALS.accessKeyId) return null;
  const [, keyId, day, region, service, signedHeaders, signature] = auth;
  const amzDate = req.headers['x-amz-date'];
  const signedAt = amzDateMs(amzDate);
  if (Number.isNaN(signedAt) || amzDate.slice(0, 8) !== day) {
    return refusal('IncompleteSignatureException', 'Authorization header requires existence of a valid X-Amz-Date.');
  }
  if (Math.abs(now - signedAt) > MAX_SKEW_MS) {
    return refusal('InvalidSignatureException', `Signature expired: ${amzDate} is now earlier or later than the server's time (${new Date(now).toISOString()}) by more than 5 minutes.`);
  }
  const names = signedHeaders.split(';');
  const headerValue = (name) => {
    const value = name === 'host' ? (req.headers.host ?? req.headers[':authority']) : req.headers[name];
    return String(value ?? '').trim().replace(/\s+/g, ' ');
  };
  const [path, query = ''] = req.url.split('?');
  const canonical = [
    req.method,
    canonicalUri(path),
    canonicalQuery(query),
    ...names.map((name) => `${name}:${headerValue(name)}`),
    '',
    signedHeaders,
    sha256(raw),
  ].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  let key = hmac(`AWS4${LOCAL_AWS_CREDENTIALS.secretAccessKey}`, day);
  for (const part of [region, service, 'aws4_request']) key = hmac(key, part);
  const expected = createHmac('sha256', key).update(stringToSign).digest('hex');
  if (expected === signature && keyId) return null;
  return refusal(
    'InvalidSignatureException',
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  );
}
