// A self-signed serving certificate for the storage API (storage-server.ts), made at start-up
// when none is given: the API server reaches an aggregated API with its APIService's
// insecureSkipTLSVerify (as Kubescape's storage is registered) or a caBundle of the given
// certificate. Node can sign but not build certificates, and a certificate of one key, one
// name and one extension is a few lines of DER: no library for it.
import { generateKeyPairSync, randomBytes, sign } from "node:crypto";

const len = (n: number): number[] => {
  if (n < 0x80) return [n];
  const out: number[] = [];
  for (let v = n; v > 0; v >>= 8) out.unshift(v & 0xff);
  return [0x80 | out.length, ...out];
};
const tlv = (tag: number, ...parts: Buffer[]): Buffer => {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag, ...len(body.length)]), body]);
};
const seq = (...parts: Buffer[]) => tlv(0x30, ...parts);
const oid = (dotted: string): Buffer => {
  const [a, b, ...rest] = dotted.split(".").map(Number);
  const bytes = [40 * a + b];
  for (const n of rest) {
    const groups: number[] = [];
    for (let v = n; ; v = Math.floor(v / 128)) {
      groups.unshift((v % 128) | (groups.length ? 0x80 : 0));
      if (v < 128) break;
    }
    bytes.push(...groups);
  }
  return tlv(0x06, Buffer.from(bytes));
};
const time = (d: Date): Buffer => {
  const iso = d.toISOString().replace(/[-:T]/g, "").slice(0, 14) + "Z";
  // UTCTime until 2049, GeneralizedTime after (RFC 5280 4.1.2.5)
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(iso.slice(2))) : tlv(0x18, Buffer.from(iso));
};
/** A non-negative DER INTEGER: no redundant leading zero (OpenSSL refuses one as "illegal padding"), a zero added before a high bit. */
export const uint = (bytes: Buffer): Buffer => {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const v = bytes.subarray(i);
  return tlv(0x02, v[0] & 0x80 ? Buffer.concat([Buffer.from([0]), v]) : v);
};
const name = (cn: string) => seq(tlv(0x31, seq(oid("2.5.4.3"), tlv(0x0c, Buffer.from(cn)))));
const ECDSA_SHA256 = seq(oid("1.2.840.10045.4.3.2"));

const pem = (label: string, der: Buffer) =>
  `-----BEGIN ${label}-----\n${der
    .toString("base64")
    .match(/.{1,64}/g)!
    .join("\n")}\n-----END ${label}-----\n`;

/** A P-256 key and a self-signed certificate for these DNS names and IPv4 addresses, valid for `days`. */
export function selfSignedCert(commonName: string, altNames: string[], days = 365, serial = randomBytes(16)): { cert: string; key: string } {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const now = Date.now();
  const sans = altNames.map((n) => (/^\d+\.\d+\.\d+\.\d+$/.test(n) ? tlv(0x87, Buffer.from(n.split(".").map(Number))) : tlv(0x82, Buffer.from(n))));
  const extensions = tlv(
    0xa3,
    seq(
      seq(oid("2.5.29.17"), tlv(0x04, seq(...sans))),
      // not a CA; for serving only
      seq(oid("2.5.29.19"), tlv(0x01, Buffer.from([0xff])), tlv(0x04, seq())),
      seq(oid("2.5.29.37"), tlv(0x04, seq(oid("1.3.6.1.5.5.7.3.1")))),
    ),
  );
  const tbs = seq(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))),
    uint(serial),
    ECDSA_SHA256,
    name(commonName),
    seq(time(new Date(now - 3600_000)), time(new Date(now + days * 86_400_000))),
    name(commonName),
    publicKey.export({ type: "spki", format: "der" }),
    extensions,
  );
  const signature = sign("sha256", tbs, privateKey);
  const cert = seq(tbs, ECDSA_SHA256, tlv(0x03, Buffer.from([0]), signature));
  return { cert: pem("CERTIFICATE", cert), key: privateKey.export({ type: "pkcs8", format: "pem" }).toString() };
}
